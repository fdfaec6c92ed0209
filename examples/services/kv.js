// A database-like service for the example environment: a tiny key-value store over TCP
// (one command per line: SET key value / GET key). Stops cleanly on SIGTERM.
import { createServer } from 'node:net';

const port = Number(process.env.KV_PORT ?? 6390);
const data = new Map();
const server = createServer((socket) => {
  let buffered = '';
  socket.on('data', (chunk) => {
    buffered += chunk;
    let nl;
    while ((nl = buffered.indexOf('\n')) >= 0) {
      const [cmd, key, ...rest] = buffered.slice(0, nl).trim().split(' ');
      buffered = buffered.slice(nl + 1);
      if (cmd === 'SET') {
        data.set(key, rest.join(' '));
        socket.write('OK\n');
      } else if (cmd === 'GET') socket.write(`${data.get(key) ?? ''}\n`);
      else socket.write('ERR unknown command\n');
    }
  });
  socket.on('error', () => {});
});
// Like a real database, it takes a moment before it accepts connections.
setTimeout(() => server.listen(port, '127.0.0.1', () => console.log(`kv: ready to accept connections on ${port}`)), 300);
process.on('SIGTERM', () => {
  console.log('kv: shutting down');
  server.close(() => process.exit(0));
  setTimeout(() => process.exit(0), 500).unref();
});
