/**
 * Every export of an entry point carries a TSDoc comment of its own, found with TypeScript's
 * checker (aliases followed to their declarations). Stricter than TypeDoc's validation, which
 * lets some declarations through when a neighbouring comment is taken for theirs.
 */
import ts from 'typescript';

/** "file:line: name (entry)" for each exported declaration without a /** comment. */
export function undocumentedExports(root: string, entries: readonly string[]): string[] {
  const options: ts.CompilerOptions = {
    module: ts.ModuleKind.NodeNext,
    moduleResolution: ts.ModuleResolutionKind.NodeNext,
    target: ts.ScriptTarget.ES2022,
    noLib: true,
    types: [],
    noEmit: true,
  };
  // Only our own files matter: packages are left unresolved, which keeps the check to seconds.
  const host = ts.createCompilerHost(options);
  host.resolveModuleNames = (names, containingFile) =>
    names.map((name) =>
      name.startsWith('.') ? ts.resolveModuleName(name, containingFile, options, host).resolvedModule : undefined,
    );
  const program = ts.createProgram(
    entries.map((entry) => `${root}/${entry}`),
    options,
    host,
  );
  const checker = program.getTypeChecker();
  const found = new Set<string>();
  for (const entry of entries) {
    const file = program.getSourceFile(`${root}/${entry}`);
    const module = file && checker.getSymbolAtLocation(file);
    if (!module) throw new Error(`${entry} is not a module`);
    for (const exported of checker.getExportsOfModule(module)) {
      const symbol = exported.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(exported) : exported;
      for (const declaration of symbol.declarations ?? []) {
        const source = declaration.getSourceFile();
        if (source.fileName.includes('/node_modules/')) continue;
        if (ts.getJSDocCommentsAndTags(declaration).length > 0) continue;
        const line = source.getLineAndCharacterOfPosition(declaration.getStart()).line + 1;
        found.add(`${source.fileName.slice(root.length + 1)}:${line}: ${symbol.name} (${entry})`);
      }
    }
  }
  return [...found];
}
