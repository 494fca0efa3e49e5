/** Bun: `Bun.serve`. */
import { createApp, readyLine } from './app.mjs';

const server = Bun.serve({
  hostname: '127.0.0.1',
  port: Number(process.env.PORT ?? 0),
  fetch: createApp(process.env, `bun ${Bun.version}`),
});
console.log(readyLine(server.port));
