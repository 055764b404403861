// Web Storage, IndexedDB and WebCrypto in real headless Chromium (see browser/in-browser.ts).
import { browserTests } from './browser/in-browser.js';

browserTests('chromium', 'Chromium');
