/** Deno: `Deno.serve`; run with `--allow-net --allow-env --allow-read`. */
import { createApp, readyLine } from './app.mjs';

const app = createApp(Deno.env.toObject(), `deno ${Deno.version.deno}`);
Deno.serve(
  {
    hostname: '127.0.0.1',
    port: Number(Deno.env.get('PORT') ?? 0),
    onListen: ({ port }) => console.log(readyLine(port)),
  },
  app,
);
