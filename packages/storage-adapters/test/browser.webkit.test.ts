// Web Storage, IndexedDB and WebCrypto in real WebKitGTK under Xvfb (see browser/in-browser.ts).
import { browserTests } from './browser/in-browser.js';

browserTests('webkit', 'WebKitGTK');
