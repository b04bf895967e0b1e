// Writes the licence of every npm package bundled into widgets.js (from esbuild's
// metafile) and renderer.json: the pinned versions and the outputs' SHA-256.
const fs = require('fs');
const path = require('path');
const crypto = require('crypto');

const [metafile, licensesOut, manifestOut] = process.argv.slice(2);
const meta = JSON.parse(fs.readFileSync(metafile, 'utf8'));
const packages = new Map();
for (const input of Object.keys(meta.inputs).filter((name) => !name.includes(":"))) {  // "(disabled):x" is not bundled
  const match = input.match(/^(.*node_modules\/(@[^/]+\/[^/]+|[^@/][^/]*))\//);
  if (match && !packages.has(match[1])) packages.set(match[1], match[2]);
}
const texts = [];
const versions = {};
for (const [dir, name] of [...packages].sort((a, b) => a[1].localeCompare(b[1]))) {
  const pkg = JSON.parse(fs.readFileSync(path.join(dir, 'package.json'), 'utf8'));
  versions[`${name}@${pkg.version}`] = pkg.license || 'see package';
  const file = fs.readdirSync(dir).find((f) => /^(licen[sc]e|copying)/i.test(f));
  const text = file ? fs.readFileSync(path.join(dir, file), 'utf8') : `License: ${pkg.license} (no licence file in the package)`;
  texts.push(`==== ${name}@${pkg.version} (${pkg.license})\n\n${text.trim()}\n`);
}
fs.writeFileSync(licensesOut, `Packages bundled into widgets.js and widgets.css (built by renderer/build.sh)\n\n${texts.join('\n')}`);
const assets = path.dirname(licensesOut);
const sha256 = {};
const digest = (name) => crypto.createHash('sha256').update(fs.readFileSync(path.join(assets, name))).digest('hex');
for (const name of ['widgets.js', 'widgets.css', ...fs.readdirSync(path.join(assets, 'fonts')).sort().map((f) => `fonts/${f}`)]) {
  sha256[name] = digest(name);
}
const lock = JSON.parse(fs.readFileSync('package-lock.json', 'utf8'));
const manifest = {
  renderer: `@jupyter-widgets/html-manager@${lock.packages['node_modules/@jupyter-widgets/html-manager'].version}`,
  built_with: `esbuild@${lock.packages['node_modules/esbuild'].version}`,
  bundled: versions,
  sha256,
};
fs.writeFileSync(manifestOut, JSON.stringify(manifest, null, 2) + '\n');
