// The API: answers /health once it can reach the kv service, and / with the schema version.
import { createServer } from 'node:http';
import { connect } from 'node:net';

const port = Number(process.env.API_PORT ?? 4000);
const kvPort = Number(process.env.KV_PORT ?? 6390);

function kvGet(key) {
  return new Promise((resolve, reject) => {
    const socket = connect(kvPort, '127.0.0.1', () => socket.write(`GET ${key}\n`));
    socket.once('data', (reply) => {
      socket.end();
      resolve(String(reply).trim());
    });
    socket.once('error', reject);
  });
}

createServer(async (req, res) => {
  try {
    const version = await kvGet('schema_version');
    if (req.url !== '/health') console.log(`api: ${req.method} ${req.url}`);
    res.setHeader('content-type', 'application/json');
    res.end(JSON.stringify(req.url === '/health' ? { ok: true } : { hello: 'from the api', schema: version }) + '\n');
  } catch (error) {
    console.error(`api: kv unreachable: ${error.message}`);
    res.statusCode = 503;
    res.end('kv unreachable\n');
  }
}).listen(port, '127.0.0.1', () => console.log(`api: listening on http://127.0.0.1:${port}`));
process.on('SIGTERM', () => {
  console.log('api: bye');
  process.exit(0);
});
