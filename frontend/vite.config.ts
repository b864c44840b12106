// Builds the web app into dist/ (served by the local portal at `/`, by CloudFront in AWS). In
// development `npm run dev` proxies /api to a local portal on PORTAL_URL (default :8080).
import { defineConfig, type Plugin } from 'vitest/config';

/** The GC Design System's stylesheet loads its fonts from Google Fonts and its CDN; the app
 * bundles them instead (`src/fonts.css`), so nothing is fetched from elsewhere at run time. */
function noFontCdn(): Plugin {
  return {
    name: 'portal:no-font-cdn',
    transform(code, id) {
      if (!id.includes('@gcds-core/components') || !id.endsWith('.css')) return null;
      return code
        .replace(/@import url\("https:\/\/fonts\.googleapis\.com[^"]*"\);?/g, '')
        .replace(/@font-face\{[^}]*cdn\.design-system\.canada\.ca[^}]*\}/g, '');
    },
  };
}

export default defineConfig({
  plugins: [noFontCdn()],
  // Two pages: the web app, and the local test gateway's checkout (served by the local portal at
  // /checkout/{id}; unused in AWS, where Stripe hosts the checkout).
  build: { outDir: 'dist', emptyOutDir: true, rollupOptions: { input: ['index.html', 'checkout.html'] } },
  server: { proxy: { '/api': process.env.PORTAL_URL ?? 'http://127.0.0.1:8080' } },
  test: { include: ['tests/unit/**/*.test.ts'] },
});
