// Web Storage, IndexedDB and WebCrypto in real headless Firefox ESR (see browser/in-browser.ts).
import { browserTests } from './browser/in-browser.js';

browserTests('firefox', 'Firefox ESR');
