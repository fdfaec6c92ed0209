// Types of the vendor copy of uPlot that scripts/build-web.js puts beside the page.
import uPlot from 'uplot';
export default uPlot;
