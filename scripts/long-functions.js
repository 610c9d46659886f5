#!/usr/bin/env node
// Lists every function, method, constructor, accessor or arrow function in src/**/*.ts that spans more
// than 100 lines (from its first line to its last, nested functions included) and exits 1 if there is
// one. Part of `npm run lint`: CONTRIBUTING.md's "no function over ~100 lines" stays true.
// Usage: node scripts/long-functions.js [--max <lines>] [root]
'use strict';
const fs = require('node:fs');
const path = require('node:path');
const ts = require('typescript');

const DEFAULT_MAX_LINES = 100;

function parseArgs(argv) {
  let max = DEFAULT_MAX_LINES;
  let root = path.join(__dirname, '..', 'src');
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--max') {
      max = Number(argv[++i]);
      if (!Number.isInteger(max) || max < 1) throw new Error('--max takes a whole number of lines, e.g. --max 100');
    } else {
      root = path.resolve(argv[i]);
    }
  }
  return { max, root };
}

function tsFiles(dir) {
  const out = [];
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) out.push(...tsFiles(full));
    else if (entry.name.endsWith('.ts')) out.push(full);
  }
  return out.sort();
}

function isFunctionLike(node) {
  return (
    ts.isFunctionDeclaration(node) ||
    ts.isFunctionExpression(node) ||
    ts.isArrowFunction(node) ||
    ts.isMethodDeclaration(node) ||
    ts.isConstructorDeclaration(node) ||
    ts.isGetAccessorDeclaration(node) ||
    ts.isSetAccessorDeclaration(node)
  );
}

/** The name a reader would search for: the declaration's own, else the variable/property it is bound to. */
function functionName(node, sf) {
  if (ts.isConstructorDeclaration(node)) return 'constructor';
  if (node.name) return node.name.getText(sf);
  const parent = node.parent;
  if (
    parent &&
    (ts.isVariableDeclaration(parent) || ts.isPropertyAssignment(parent) || ts.isPropertyDeclaration(parent))
  ) {
    return parent.name.getText(sf);
  }
  return '<anonymous>';
}

function longFunctions(file, max) {
  const text = fs.readFileSync(file, 'utf8');
  const sf = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true, ts.ScriptKind.TS);
  const found = [];
  const visit = (node) => {
    if (isFunctionLike(node) && node.body) {
      const first = sf.getLineAndCharacterOfPosition(node.getStart(sf)).line + 1;
      const last = sf.getLineAndCharacterOfPosition(node.getEnd()).line + 1;
      const lines = last - first + 1;
      if (lines > max) found.push({ file, line: first, name: functionName(node, sf), lines });
    }
    ts.forEachChild(node, visit);
  };
  visit(sf);
  return found;
}

function main() {
  const { max, root } = parseArgs(process.argv.slice(2));
  const found = tsFiles(root).flatMap((file) => longFunctions(file, max));
  const cwd = process.cwd();
  for (const f of found) {
    console.log(`${path.relative(cwd, f.file)}:${f.line} ${f.name} ${f.lines} lines`);
  }
  if (found.length > 0) {
    console.error(`${found.length} function(s) over ${max} lines: split them into named parts`);
    process.exitCode = 1;
  }
}

main();
