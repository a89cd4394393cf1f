// guard.mjs: fails loudly when Portico is started on a Node.js older than it supports.
// Plain JavaScript on purpose, so it parses on any Node version.
const [major, minor] = process.versions.node.split('.').map(Number);
if (major < 22 || (major === 22 && minor < 19)) {
  process.stderr.write(
    `\nPortico needs Node.js >= 22.19 (Node 24 LTS recommended); this is Node ${process.versions.node}.\n` +
    `Run it through npm (npm start / npm test / npx portico), which uses the Node 24 from the\n` +
    `"node" devDependency, or install Node 24.\n\n`);
  process.exit(1);
}
