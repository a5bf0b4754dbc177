/**
 * The import arrows of the design card, as a checker a test runs over the tree:
 * vocabulary/ imports nothing; machines/ imports only xstate and the vocabulary; adapters/ imports
 * nothing from machines/ or src/ (nor the package by its own name). Every way a file can name a
 * module counts: import/export ... from, import x = require(), require(), import(), import('x').T
 * in a type, and /// <reference path>.
 */
import { dirname, posix, relative, resolve, sep } from 'node:path';
import ts from 'typescript';

/** Every module specifier a file names, found by TypeScript's own parser. */
export function moduleSpecifiers(fileName: string, text: string): string[] {
  const source = ts.createSourceFile(fileName, text, ts.ScriptTarget.Latest, true, ts.ScriptKind.TS);
  const found: string[] = source.referencedFiles.map((ref) => ref.fileName);
  const literal = (node: ts.Node | undefined) => {
    if (node && (ts.isStringLiteral(node) || ts.isNoSubstitutionTemplateLiteral(node))) found.push(node.text);
    else if (node) found.push(`<computed: ${node.getText(source)}>`);
  };
  const visit = (node: ts.Node): void => {
    if (ts.isImportDeclaration(node) || ts.isExportDeclaration(node)) {
      if (node.moduleSpecifier) literal(node.moduleSpecifier);
    } else if (ts.isImportEqualsDeclaration(node) && ts.isExternalModuleReference(node.moduleReference)) {
      literal(node.moduleReference.expression);
    } else if (ts.isCallExpression(node)) {
      const callee = node.expression;
      const isImport = callee.kind === ts.SyntaxKind.ImportKeyword;
      const isRequire = ts.isIdentifier(callee) && callee.text === 'require';
      const isRequireResolve =
        ts.isPropertyAccessExpression(callee) &&
        ts.isIdentifier(callee.expression) &&
        callee.expression.text === 'require';
      if (isImport || isRequire || isRequireResolve) literal(node.arguments[0]);
    } else if (ts.isImportTypeNode(node) && ts.isLiteralTypeNode(node.argument)) {
      literal(node.argument.literal);
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return found;
}

export interface Violation {
  file: string;
  specifier: string;
  rule: string;
}

const PACKAGE_NAME = 'authmachine';

/** The top-level folder a relative specifier lands in, or null for a package / builtin. */
function targetFolder(root: string, file: string, specifier: string): string | null {
  if (!specifier.startsWith('.') && !specifier.startsWith('/')) return null;
  const target = relative(root, resolve(dirname(resolve(root, file)), specifier));
  return target.split(sep)[0] ?? '';
}

/** Checks one file (path relative to the repository root, with `/`) against the arrows. */
export function checkFile(root: string, file: string, text: string): Violation[] {
  const layer = file.split('/')[0];
  const violations: Violation[] = [];
  for (const specifier of moduleSpecifiers(file, text)) {
    const folder = targetFolder(root, file, specifier);
    const isSelf = specifier === PACKAGE_NAME || specifier.startsWith(`${PACKAGE_NAME}/`);
    const fail = (rule: string) => violations.push({ file, specifier, rule });
    if (specifier.startsWith('<computed')) fail('a module named by a computed expression cannot be checked');
    else if (layer === 'vocabulary') {
      if (folder !== 'vocabulary') fail('vocabulary/ imports nothing');
    } else if (layer === 'machines') {
      if (folder === null ? specifier !== 'xstate' : folder !== 'machines' && folder !== 'vocabulary') {
        fail('machines/ imports only xstate and vocabulary/');
      }
    } else if (layer === 'adapters') {
      if (isSelf || (folder !== null && folder !== 'adapters' && folder !== 'vocabulary')) {
        fail('adapters/ imports nothing of ours but vocabulary/');
      }
    }
  }
  return violations;
}

export const WALLED_LAYERS = ['vocabulary', 'machines', 'adapters'] as const;

/** posix form of a path relative to root, as checkFile wants it. */
export function repoPath(root: string, absolute: string): string {
  return relative(root, absolute).split(sep).join(posix.sep);
}
