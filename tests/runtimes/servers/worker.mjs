/**
 * A Cloudflare Worker module: bundled with esbuild by `workerd.mjs` and run in workerd by Miniflare.
 * Configuration arrives as bindings, so the app is built on the first request.
 */
import { createApp } from './app.mjs';

let app;

export default {
  /** @param {Request} request @param {Record<string, string>} env */
  fetch(request, env) {
    app ??= createApp(env, `workerd (${navigator.userAgent})`);
    return app(request);
  },
};
