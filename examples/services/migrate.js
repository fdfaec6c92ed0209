// The migration step: connects to the kv service, records the schema version, exits 0.
import { connect } from 'node:net';

const port = Number(process.env.KV_PORT ?? 6390);
const socket = connect(port, '127.0.0.1', () => socket.write('SET schema_version 3\n'));
socket.on('data', (reply) => {
  if (String(reply).trim() !== 'OK') {
    console.error(`migrate: unexpected reply ${reply}`);
    process.exit(1);
  }
  console.log('migrate: schema at version 3');
  socket.end();
});
socket.on('error', (error) => {
  console.error(`migrate: ${error.message}`);
  process.exit(1);
});
