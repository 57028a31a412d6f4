import { defineConfig } from 'vitest/config';
import { svelte } from '@sveltejs/vite-plugin-svelte';

// One config for the build (vite build → dist, embedded by the Go binary)
// and the unit tests (vitest run). base './' because the same files are
// served by the Wails asset server and by `caseyos serve`.
export default defineConfig({
  base: './',
  plugins: [svelte()],
  build: {
    outDir: 'dist',
    // dist/.gitkeep (for go:embed on a fresh checkout) comes back from public/.
    emptyOutDir: true,
    target: 'es2022',
    reportCompressedSize: true,
    sourcemap: false,
  },
  server: {
    // `npm run dev` against a running `caseyos serve`: CASEYOS_URL=http://127.0.0.1:PORT
    proxy: process.env.CASEYOS_URL ? { '/api': process.env.CASEYOS_URL } : undefined,
  },
  test: {
    include: ['src/**/*.test.ts'],
    environment: 'node',
  },
});
