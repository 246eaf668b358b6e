// The tus reference server (@tus/server with @tus/file-store), for comparison: stores uploads
// under the directory given, answers on 127.0.0.1 at the port given.
import http from 'node:http';
import { Server } from '@tus/server';
import { FileStore } from '@tus/file-store';

const [directory, port] = process.argv.slice(2);
const tus = new Server({ path: '/files', datastore: new FileStore({ directory }) });
http.createServer((request, response) => tus.handle(request, response))
  .listen(Number(port), '127.0.0.1', () => console.log(`tus reference server on ${port}`));
