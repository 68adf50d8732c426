// Prints the module's size as a page loads it: bundled (recorder.js with its imports), minified by
// esbuild, then gzipped.
import { build } from 'esbuild';
import { gzipSync } from 'node:zlib';
import { readFileSync } from 'node:fs';

const raw = ['recorder.js', 'session.js', 'chunk-flow.js', 'chunk-store.js'].reduce((n, f) => n + readFileSync(f).length, 0);
const out = await build({ entryPoints: ['recorder.js'], bundle: true, minify: true, format: 'esm', write: false,
  target: 'es2022' });
const min = out.outputFiles[0].contents;
console.log(`source ${raw} B · minified ${min.length} B · minified+gzip ${gzipSync(min, { level: 9 }).length} B`);
