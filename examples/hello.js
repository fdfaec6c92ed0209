// A tiny HTTP service for trying corral: prints a line per request and a heartbeat.
import { createServer } from 'node:http';

const port = Number(process.env.PORT ?? 4780);
createServer((req, res) => {
  console.log(`${new Date().toISOString()} ${req.method} ${req.url}`);
  res.end('hello from a corral task\n');
}).listen(port, '127.0.0.1', () => console.log(`listening on http://127.0.0.1:${port}`));
setInterval(() => console.log(`${new Date().toISOString()} heartbeat`), 5_000);
process.on('SIGTERM', () => {
  console.log('SIGTERM: closing');
  process.exit(0);
});
