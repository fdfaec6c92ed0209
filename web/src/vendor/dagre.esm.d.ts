// Types of the vendor copy of dagre that scripts/build-web.js puts beside the page.
export * from '@dagrejs/dagre';
import dagre from '@dagrejs/dagre';
export default dagre;
