import { defineConfig } from 'vite';

// `npm start` builds with this file (local/static-build.ts), passing root = web/; `npm run build:web` too.
export default defineConfig({
  base: '/',
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    target: 'es2022',
    // One small entry chunk: no need for the modulepreload polyfill, and no sourcemaps in the served bundle.
    modulePreload: { polyfill: false },
    sourcemap: false,
    assetsInlineLimit: 0,
    reportCompressedSize: false,
  },
});
