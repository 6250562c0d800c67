// Prints the Node.js runtime the test run uses, so CI's log proves the project's Node 24 from the
// `node` devDependency (npm scripts put node_modules/.bin first on PATH) is the one running.
console.log(`driftline test run: node ${process.version} (${process.execPath})`);
