//! The map and the module graph checked against the code, so neither drifts silently.
//!
//! - Every path in backticks in `ARCHITECTURE.md` (`crates/...`, `bench/...`, `scripts/...`,
//!   `.ci/...`)
//!   exists, every crate name `clientele-*` in backticks is a workspace member, and every member
//!   is named on the map.
//! - No import loop between the modules of a crate: a module's `use` declarations and qualified
//!   paths (`crate::`, `super::`, `self::`) are read from every workspace crate's `src/**/*.rs`,
//!   with comments and strings removed (so doc links do not count), each reference resolved
//!   through the re-exports (`pub use`) to the module that defines the item, and the modules
//!   that share a parent (the top-level modules of a crate, the parts of a folder module) must
//!   form no cycle. A reference between a module and its own ancestor (`use super::*` in a test
//!   module, `pub use part::Item` in a `mod.rs`) is not an edge.
//!
//! Plain text parsing, no dependency: a lexer that knows Rust's comments, strings, raw strings,
//! character literals and lifetimes, and a reader of `use` trees.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::fs;
use std::path::{Path, PathBuf};

/// Loops known to exist, to be removed; each names the issue it belongs to. The test fails on a
/// loop not listed here and on a listed loop that no longer exists (remove its line then).
/// An entry: (crate directory, parent module path joined by `::` or "" for the crate root,
/// the modules of the loop, the issue).
const KNOWN_LOOPS: &[(&str, &str, &[&str], &str)] = &[];

fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .ancestors()
        .nth(2)
        .expect("crates/cli sits two levels below the workspace root")
        .to_path_buf()
}

/// The workspace's member directories (`crates/core`, ...), from the root `Cargo.toml`.
fn members(root: &Path) -> Vec<String> {
    let manifest = fs::read_to_string(root.join("Cargo.toml")).expect("reading Cargo.toml");
    let start = manifest
        .find("\nmembers")
        .expect("the root Cargo.toml lists its members");
    let open = start + manifest[start..].find('[').expect("members = [");
    let close = open + manifest[open..].find(']').expect("members = [...]");
    manifest[open + 1..close]
        .split(',')
        .map(|m| m.trim().trim_matches('"').to_string())
        .filter(|m| !m.is_empty())
        .collect()
}

/// A member's package name, from its `Cargo.toml`.
fn package_name(root: &Path, member: &str) -> String {
    let path = root.join(member).join("Cargo.toml");
    let manifest = fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    manifest
        .lines()
        .find_map(|l| {
            let rest = l.trim().strip_prefix("name")?.trim().strip_prefix('=')?;
            Some(rest.trim().trim_matches('"').to_string())
        })
        .unwrap_or_else(|| panic!("{} has no package name", path.display()))
}

/// The spans in backticks of a Markdown text, with the line each starts on. A span may run over
/// a line break, as in Markdown, which reads the break as a space.
fn backticked(text: &str) -> Vec<(usize, String)> {
    let mut spans = Vec::new();
    let mut line = 1;
    for (n, part) in text.split('`').enumerate() {
        if n % 2 == 1 {
            spans.push((line, part.replace('\n', " ")));
        }
        line += part.matches('\n').count();
    }
    spans
}

/// `locales/{en,ru}/x.ftl` → both paths.
fn expand_braces(span: &str) -> Vec<String> {
    match (span.find('{'), span.find('}')) {
        (Some(open), Some(close)) if open < close => span[open + 1..close]
            .split(',')
            .flat_map(|alt| expand_braces(&format!("{}{alt}{}", &span[..open], &span[close + 1..])))
            .collect(),
        _ => vec![span.to_string()],
    }
}

#[test]
fn every_path_and_crate_on_the_map_exists() {
    let root = workspace_root();
    let map = fs::read_to_string(root.join("ARCHITECTURE.md")).expect("reading ARCHITECTURE.md");
    let members = members(&root);
    let names: BTreeMap<String, String> = members
        .iter()
        .map(|m| (package_name(&root, m), m.clone()))
        .collect();
    assert!(
        map.matches('`').count().is_multiple_of(2),
        "ARCHITECTURE.md has an unclosed backtick"
    );
    let mut missing = Vec::new();
    let mut checked = 0;
    for (line, span) in backticked(&map) {
        let span = span.as_str();
        let is_path = ["crates/", "bench/", "scripts/", ".ci/"]
            .iter()
            .any(|top| span.starts_with(top));
        // Placeholders (`crates/store/src/<domain>/`) and patterns name no one file.
        if is_path && !span.contains(['<', '*', ' ']) {
            for path in expand_braces(span) {
                checked += 1;
                if !root.join(&path).exists() {
                    missing.push(format!("line {line}: `{path}` does not exist"));
                }
            }
        }
        if span.starts_with("clientele-") && !span.contains([' ', '<', '*']) {
            checked += 1;
            if !names.contains_key(span) {
                missing.push(format!(
                    "line {line}: `{span}` is not a crate of the workspace"
                ));
            }
        }
    }
    for (name, dir) in &names {
        if !map.contains(name.as_str()) && !map.contains(&format!("`{dir}`")) {
            missing.push(format!("the member {dir} ({name}) is not on the map"));
        }
    }
    assert!(
        checked > 50,
        "only {checked} paths and crates found in ARCHITECTURE.md: is the parser still right?"
    );
    assert!(
        missing.is_empty(),
        "ARCHITECTURE.md has drifted from the code:\n{}",
        missing.join("\n")
    );
}

// ---------------------------------------------------------------------------------------------
// The module graph.

#[derive(Clone, Debug, PartialEq)]
enum Tok {
    Ident(String),
    /// `::`
    Path,
    Punct(char),
}

/// Rust source as identifiers, `::` and punctuation with their line numbers; comments, string
/// and character literals, lifetimes and numbers are left out.
fn lex(src: &str) -> Vec<(Tok, usize)> {
    let c: Vec<char> = src.chars().collect();
    let mut out = Vec::new();
    let (mut i, mut line) = (0, 1);
    let at = |i: usize| c.get(i).copied().unwrap_or('\0');
    while i < c.len() {
        let ch = c[i];
        if ch == '\n' {
            line += 1;
            i += 1;
        } else if ch.is_whitespace() {
            i += 1;
        } else if ch == '/' && at(i + 1) == '/' {
            while i < c.len() && c[i] != '\n' {
                i += 1;
            }
        } else if ch == '/' && at(i + 1) == '*' {
            let mut depth = 0;
            while i < c.len() {
                if c[i] == '/' && at(i + 1) == '*' {
                    depth += 1;
                    i += 2;
                } else if c[i] == '*' && at(i + 1) == '/' {
                    depth -= 1;
                    i += 2;
                    if depth == 0 {
                        break;
                    }
                } else {
                    line += usize::from(c[i] == '\n');
                    i += 1;
                }
            }
        } else if ch == '"' {
            i += 1;
            while i < c.len() && c[i] != '"' {
                line += usize::from(c[i] == '\n');
                i += if c[i] == '\\' { 2 } else { 1 };
            }
            i += 1;
        } else if ch == '\'' {
            // A character literal ('a', '\n', '\'', '"') or a lifetime ('a, 'static).
            if at(i + 1) == '\\' {
                i += 2;
                while i < c.len() && c[i] != '\'' {
                    i += 1;
                }
                i += 1;
            } else if at(i + 2) == '\'' {
                i += 3;
            } else {
                i += 1;
            }
        } else if ch.is_alphabetic() || ch == '_' {
            let start = i;
            while i < c.len() && (c[i].is_alphanumeric() || c[i] == '_') {
                i += 1;
            }
            let word: String = c[start..i].iter().collect();
            let raw_string = matches!(word.as_str(), "r" | "br" | "cr")
                && (at(i) == '"' || (at(i) == '#' && matches!(at(i + 1), '"' | '#')));
            if raw_string {
                let mut hashes = 0;
                while at(i) == '#' {
                    hashes += 1;
                    i += 1;
                }
                i += 1;
                loop {
                    if i >= c.len() {
                        break;
                    }
                    if c[i] == '"' && (1..=hashes).all(|h| at(i + h) == '#') {
                        i += 1 + hashes;
                        break;
                    }
                    line += usize::from(c[i] == '\n');
                    i += 1;
                }
            } else if matches!(word.as_str(), "b" | "c") && at(i) == '"' {
                // A byte or C string: the next turn skips the literal.
            } else if word == "b" && at(i) == '\'' {
                // A byte literal: the next turn skips it as a character literal.
            } else if word == "r" && at(i) == '#' {
                // A raw identifier: r#type.
                i += 1;
            } else {
                out.push((Tok::Ident(word), line));
            }
        } else if ch.is_ascii_digit() {
            while i < c.len() && (c[i].is_alphanumeric() || c[i] == '_' || c[i] == '.') {
                if c[i] == '.' && !at(i + 1).is_ascii_digit() {
                    break;
                }
                i += 1;
            }
        } else if ch == ':' && at(i + 1) == ':' {
            out.push((Tok::Path, line));
            i += 2;
        } else {
            out.push((Tok::Punct(ch), line));
            i += 1;
        }
    }
    out
}

type ModPath = Vec<String>;

/// A file, its module and its tokens with their lines.
type Lexed = (PathBuf, ModPath, Vec<(Tok, usize)>);

/// One `use` tree flattened: the path, and what it binds (`None` for a glob).
fn use_tree(toks: &[Tok], prefix: &[String], out: &mut Vec<(ModPath, Option<String>)>) -> usize {
    let mut path = prefix.to_vec();
    let mut i = 0;
    if toks.first() == Some(&Tok::Path) {
        i += 1;
    }
    loop {
        match toks.get(i) {
            Some(Tok::Ident(word)) => {
                if word == "self" && !path.is_empty() && path.len() == prefix.len() {
                    // `{self, ...}`: the module itself, bound by its own name.
                } else {
                    path.push(word.clone());
                }
                i += 1;
                match toks.get(i) {
                    Some(Tok::Path) => i += 1,
                    Some(Tok::Ident(a)) if a == "as" => {
                        let alias = match toks.get(i + 1) {
                            Some(Tok::Ident(alias)) => alias.clone(),
                            _ => String::new(),
                        };
                        out.push((path, Some(alias)));
                        return i + 2;
                    }
                    _ => {
                        let name = path.last().cloned();
                        out.push((path, name));
                        return i;
                    }
                }
            }
            Some(Tok::Punct('*')) => {
                out.push((path, None));
                return i + 1;
            }
            Some(Tok::Punct('{')) => {
                i += 1;
                while toks.get(i) != Some(&Tok::Punct('}')) && i < toks.len() {
                    i += use_tree(&toks[i..], &path, out);
                    if toks.get(i) == Some(&Tok::Punct(',')) {
                        i += 1;
                    }
                }
                return i + 1;
            }
            _ => return i.max(1),
        }
    }
}

/// A module reference found in the source.
#[derive(Debug)]
struct Reference {
    from: ModPath,
    /// The path as written, made absolute (from the crate root).
    to: ModPath,
    file: PathBuf,
    line: usize,
}

/// What the sources of one crate say.
#[derive(Default)]
struct Crate {
    modules: BTreeSet<ModPath>,
    /// Names brought into a module by `use` (re-exports and private imports alike: a child
    /// reaches both through `super::`), and its glob imports.
    bindings: HashMap<ModPath, HashMap<String, ModPath>>,
    globs: HashMap<ModPath, Vec<ModPath>>,
    /// Names of items defined in a module (for glob imports).
    items: HashMap<ModPath, BTreeSet<String>>,
    /// Modules under `#[cfg(test)]`: nothing imports them, so what they import cannot close a
    /// loop of the modules the program is built from (a test of `columns` may call `bgnbd`,
    /// which uses `columns`).
    tests: BTreeSet<ModPath>,
    references: Vec<Reference>,
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// `src/a/b.rs` and `src/a/b/mod.rs` → `a::b`; `src/lib.rs`, `src/main.rs` → the root.
fn module_of(src: &Path, file: &Path) -> ModPath {
    let rel = file.strip_prefix(src).expect("a file under src");
    let mut parts: Vec<String> = rel
        .iter()
        .map(|p| p.to_string_lossy().trim_end_matches(".rs").to_string())
        .collect();
    if matches!(parts.last().map(String::as_str), Some("mod")) {
        parts.pop();
    }
    if parts.len() == 1 && matches!(parts[0].as_str(), "lib" | "main") {
        parts.clear();
    }
    parts
}

/// A path as written in `module`, made absolute; `None` when it leaves the crate.
fn absolute(krate: &Crate, module: &[String], path: &[String]) -> Option<ModPath> {
    let first = path.first()?;
    let mut base: ModPath = match first.as_str() {
        "crate" | "$crate" => Vec::new(),
        "self" => module.to_vec(),
        "super" => {
            let mut base = module.to_vec();
            let supers = path.iter().take_while(|s| *s == "super").count();
            for _ in 0..supers {
                base.pop()?;
            }
            base.extend(path[supers..].iter().cloned());
            return Some(base);
        }
        _ => {
            let mut child = module.to_vec();
            child.push(first.clone());
            if krate.modules.contains(&child) {
                module.to_vec()
            } else {
                return None;
            }
        }
    };
    let skip = usize::from(matches!(first.as_str(), "crate" | "$crate" | "self"));
    base.extend(path[skip..].iter().cloned());
    Some(base)
}

fn read_crate(src: &Path) -> Crate {
    let mut files = Vec::new();
    rust_files(src, &mut files);
    files.sort();
    let mut krate = Crate::default();
    let lexed: Vec<Lexed> = files
        .into_iter()
        .map(|f| {
            let text = fs::read_to_string(&f).unwrap_or_else(|e| panic!("{}: {e}", f.display()));
            let module = module_of(src, &f);
            (f, module, lex(&text))
        })
        .collect();
    // Modules first (files, then inline `mod name { ... }`), since relative `use` paths need
    // them; then uses, items and references, each in the (inline) module it is written in.
    for (_, module, _) in &lexed {
        for n in 0..=module.len() {
            krate.modules.insert(module[..n].to_vec());
        }
    }
    for pass in 0..2 {
        for (file, file_module, toks) in &lexed {
            let mut stack: Vec<(ModPath, usize)> = vec![(file_module.clone(), usize::MAX)];
            let mut depth = 0usize;
            // Set by `#[cfg(test)]`, taken by the next `mod`, dropped at the next item's end.
            let mut cfg_test = false;
            let mut i = 0;
            while i < toks.len() {
                let module = stack.last().expect("the file's module").0.clone();
                let ahead: Vec<&Tok> = toks[i..].iter().take(7).map(|t| &t.0).collect();
                if ahead
                    == [
                        &Tok::Punct('#'),
                        &Tok::Punct('['),
                        &Tok::Ident("cfg".into()),
                        &Tok::Punct('('),
                        &Tok::Ident("test".into()),
                        &Tok::Punct(')'),
                        &Tok::Punct(']'),
                    ]
                {
                    cfg_test = true;
                    i += 7;
                    continue;
                }
                if matches!(toks[i].0, Tok::Punct(';' | '{' | '}')) {
                    cfg_test = false;
                }
                match &toks[i].0 {
                    Tok::Punct('{') => depth += 1,
                    Tok::Punct('}') => {
                        depth = depth.saturating_sub(1);
                        if stack.len() > 1 && stack.last().expect("inline").1 == depth {
                            stack.pop();
                        }
                    }
                    Tok::Ident(kw) if kw == "mod" => {
                        if let Some((Tok::Ident(name), _)) = toks.get(i + 1) {
                            let mut inner = module.clone();
                            inner.push(name.clone());
                            if std::mem::take(&mut cfg_test) {
                                krate.tests.insert(inner);
                            }
                        }
                        if let (Some((Tok::Ident(name), _)), Some((Tok::Punct('{'), _))) =
                            (toks.get(i + 1), toks.get(i + 2))
                        {
                            let mut inner = module.clone();
                            inner.push(name.clone());
                            krate.modules.insert(inner.clone());
                            stack.push((inner, depth));
                            depth += 1;
                            i += 3;
                            continue;
                        }
                    }
                    Tok::Ident(kw)
                        if pass == 1
                            && matches!(
                                kw.as_str(),
                                "fn" | "struct"
                                    | "enum"
                                    | "trait"
                                    | "type"
                                    | "const"
                                    | "static"
                                    | "union"
                                    | "macro_rules"
                            ) =>
                    {
                        let name = match (toks.get(i + 1), toks.get(i + 2)) {
                            (Some((Tok::Punct('!'), _)), Some((Tok::Ident(n), _))) => Some(n),
                            (Some((Tok::Ident(n), _)), _) => Some(n),
                            _ => None,
                        };
                        if let Some(name) = name {
                            krate
                                .items
                                .entry(module.clone())
                                .or_default()
                                .insert(name.clone());
                        }
                    }
                    // `use<'a>` (precise capturing in a return type) is no `use` item.
                    Tok::Ident(kw)
                        if pass == 1
                            && kw == "use"
                            && matches!(
                                toks.get(i + 1).map(|t| &t.0),
                                Some(Tok::Ident(_) | Tok::Path | Tok::Punct('{'))
                            ) =>
                    {
                        let end = toks[i..]
                            .iter()
                            .position(|t| t.0 == Tok::Punct(';'))
                            .map_or(toks.len(), |p| i + p);
                        let tree: Vec<Tok> = toks[i + 1..end].iter().map(|t| t.0.clone()).collect();
                        let mut flat = Vec::new();
                        use_tree(&tree, &[], &mut flat);
                        for (path, binding) in flat {
                            let Some(abs) = absolute(&krate, &module, &path) else {
                                continue;
                            };
                            match binding {
                                Some(name) => {
                                    krate
                                        .bindings
                                        .entry(module.clone())
                                        .or_default()
                                        .insert(name, abs.clone());
                                }
                                None => krate
                                    .globs
                                    .entry(module.clone())
                                    .or_default()
                                    .push(abs.clone()),
                            }
                            krate.references.push(Reference {
                                from: module.clone(),
                                to: abs,
                                file: file.clone(),
                                line: toks[i].1,
                            });
                        }
                        i = end + 1;
                        continue;
                    }
                    Tok::Ident(first)
                        if pass == 1
                            && matches!(first.as_str(), "crate" | "super" | "self")
                            && toks.get(i + 1).map(|t| &t.0) == Some(&Tok::Path)
                            && !matches!(
                                toks.get(i.wrapping_sub(1)).map(|t| &t.0),
                                Some(Tok::Path)
                            )
                            && !matches!(toks.get(i.wrapping_sub(1)).map(|t| &t.0), Some(Tok::Ident(w)) if w == "in") =>
                    {
                        let mut path = vec![first.clone()];
                        let mut j = i + 1;
                        while let (Some((Tok::Path, _)), Some((Tok::Ident(seg), _))) =
                            (toks.get(j), toks.get(j + 1))
                        {
                            path.push(seg.clone());
                            j += 2;
                        }
                        if let Some(abs) = absolute(&krate, &module, &path) {
                            krate.references.push(Reference {
                                from: module.clone(),
                                to: abs,
                                file: file.clone(),
                                line: toks[i].1,
                            });
                        }
                        i = j;
                        continue;
                    }
                    _ => {}
                }
                i += 1;
            }
        }
    }
    krate
}

impl Crate {
    /// The module that defines what `path` names, following `use` bindings and globs.
    fn resolve(&self, path: &[String], hops: usize) -> ModPath {
        let mut module: ModPath = Vec::new();
        for (n, seg) in path.iter().enumerate() {
            let mut child = module.clone();
            child.push(seg.clone());
            if self.modules.contains(&child) {
                module = child;
                continue;
            }
            if hops < 16 {
                let defined_here = self.items.get(&module).is_some_and(|i| i.contains(seg));
                let bound = self.bindings.get(&module).and_then(|b| b.get(seg));
                if let (Some(target), false) = (bound, defined_here)
                    && target.as_slice() != &path[..=n]
                {
                    let mut through = target.clone();
                    through.extend(path[n + 1..].iter().cloned());
                    return self.resolve(&through, hops + 1);
                }
                if !defined_here {
                    for glob in self.globs.get(&module).into_iter().flatten() {
                        let from = self.resolve(glob, hops + 1);
                        let provides = self.items.get(&from).is_some_and(|i| i.contains(seg))
                            || self
                                .bindings
                                .get(&from)
                                .is_some_and(|b| b.contains_key(seg));
                        if provides && from != module {
                            let mut through = from;
                            through.extend(path[n..].iter().cloned());
                            return self.resolve(&through, hops + 1);
                        }
                    }
                }
            }
            return module;
        }
        module
    }
}

/// An edge between two modules with one parent, with where it is written.
type Edges = BTreeMap<(ModPath, String, String), Vec<String>>;

fn sibling_edges(root: &Path, krate: &Crate) -> Edges {
    let mut edges = Edges::new();
    for r in &krate.references {
        if (0..=r.from.len()).any(|n| krate.tests.contains(&r.from[..n])) {
            continue;
        }
        let to = krate.resolve(&r.to, 0);
        let common = r.from.iter().zip(&to).take_while(|(a, b)| a == b).count();
        if r.from.len() > common && to.len() > common {
            let file = r.file.strip_prefix(root).unwrap_or(&r.file);
            let text = fs::read_to_string(&r.file)
                .ok()
                .and_then(|t| t.lines().nth(r.line - 1).map(|l| l.trim().to_string()))
                .unwrap_or_default();
            let evidence = edges
                .entry((
                    r.from[..common].to_vec(),
                    r.from[common].clone(),
                    to[common].clone(),
                ))
                .or_default();
            let line = format!("{}:{}: {text}", file.display(), r.line);
            if !evidence.contains(&line) {
                evidence.push(line);
            }
        }
    }
    edges
}

/// The strongly connected groups of more than one module, per parent (Tarjan's algorithm).
fn loops(edges: &Edges) -> Vec<(ModPath, BTreeSet<String>)> {
    let mut by_parent: BTreeMap<&ModPath, BTreeMap<&str, Vec<&str>>> = BTreeMap::new();
    for (parent, from, to) in edges.keys() {
        let graph = by_parent.entry(parent).or_default();
        graph.entry(from).or_default().push(to);
        graph.entry(to).or_default();
    }
    let mut found = Vec::new();
    for (parent, graph) in by_parent {
        struct Tarjan<'g> {
            graph: &'g BTreeMap<&'g str, Vec<&'g str>>,
            index: HashMap<&'g str, usize>,
            low: HashMap<&'g str, usize>,
            stack: Vec<&'g str>,
            on_stack: BTreeSet<&'g str>,
            groups: Vec<BTreeSet<String>>,
        }
        impl<'g> Tarjan<'g> {
            fn visit(&mut self, v: &'g str) {
                let n = self.index.len();
                self.index.insert(v, n);
                self.low.insert(v, n);
                self.stack.push(v);
                self.on_stack.insert(v);
                for &w in &self.graph[v] {
                    if !self.index.contains_key(w) {
                        self.visit(w);
                        let low = self.low[v].min(self.low[w]);
                        self.low.insert(v, low);
                    } else if self.on_stack.contains(w) {
                        let low = self.low[v].min(self.index[w]);
                        self.low.insert(v, low);
                    }
                }
                if self.low[v] == self.index[v] {
                    let mut group = BTreeSet::new();
                    while let Some(w) = self.stack.pop() {
                        self.on_stack.remove(w);
                        group.insert(w.to_string());
                        if w == v {
                            break;
                        }
                    }
                    if group.len() > 1 {
                        self.groups.push(group);
                    }
                }
            }
        }
        let mut t = Tarjan {
            graph: &graph,
            index: HashMap::new(),
            low: HashMap::new(),
            stack: Vec::new(),
            on_stack: BTreeSet::new(),
            groups: Vec::new(),
        };
        for &v in graph.keys() {
            if !t.index.contains_key(v) {
                t.visit(v);
            }
        }
        found.extend(t.groups.into_iter().map(|g| (parent.clone(), g)));
    }
    found
}

/// One cycle through a group, as `a → b → a` with the lines that make each step.
fn describe(edges: &Edges, parent: &ModPath, group: &BTreeSet<String>) -> String {
    let start = group.iter().next().expect("a group has members").clone();
    // Shortest way from `start` back to itself inside the group (breadth first).
    let mut previous: BTreeMap<String, String> = BTreeMap::new();
    let mut queue = std::collections::VecDeque::from([start.clone()]);
    let mut back = None;
    while let Some(v) = queue.pop_front() {
        for ((p, from, to), _) in edges.range((parent.clone(), v.clone(), String::new())..) {
            if p != parent || *from != v {
                break;
            }
            if !group.contains(to) {
                continue;
            }
            if *to == start {
                back = Some(v.clone());
                break;
            }
            if !previous.contains_key(to) {
                previous.insert(to.clone(), v.clone());
                queue.push_back(to.clone());
            }
        }
        if back.is_some() {
            break;
        }
    }
    let mut cycle = vec![start.clone()];
    let mut v = back.expect("a strongly connected group has a cycle through each member");
    while v != start {
        cycle.push(v.clone());
        v = previous[&v].clone();
    }
    cycle[1..].reverse();
    cycle.push(start.clone());
    let mut text = format!(
        "{}: {}\n",
        if parent.is_empty() {
            "the crate root".to_string()
        } else {
            parent.join("::")
        },
        cycle.join(" → ")
    );
    for step in cycle.windows(2) {
        let key = (parent.clone(), step[0].clone(), step[1].clone());
        text.push_str(&format!("    {} → {}:\n", step[0], step[1]));
        for line in edges[&key].iter().take(3) {
            text.push_str(&format!("        {line}\n"));
        }
    }
    text
}

#[test]
fn no_import_loop_between_the_modules_of_a_crate() {
    let root = workspace_root();
    let mut unexpected = Vec::new();
    let mut found_known = BTreeSet::new();
    let mut modules = 0;
    for member in members(&root) {
        let src = root.join(&member).join("src");
        let krate = read_crate(&src);
        modules += krate.modules.len();
        let edges = sibling_edges(&root, &krate);
        for (parent, group) in loops(&edges) {
            let parent_text = parent.join("::");
            let known = KNOWN_LOOPS.iter().position(|(dir, p, names, _)| {
                *dir == member
                    && *p == parent_text
                    && names.iter().map(|n| n.to_string()).collect::<BTreeSet<_>>() == group
            });
            match known {
                Some(k) => {
                    found_known.insert(k);
                }
                None => unexpected.push(format!("{member}, {}", describe(&edges, &parent, &group))),
            }
        }
    }
    assert!(
        modules > 100,
        "only {modules} modules read: is the reader still right?"
    );
    let gone: Vec<String> = KNOWN_LOOPS
        .iter()
        .enumerate()
        .filter(|(k, _)| !found_known.contains(k))
        .map(|(_, (dir, parent, names, issue))| format!("{dir} {parent}: {names:?} ({issue})"))
        .collect();
    assert!(
        unexpected.is_empty(),
        "import loops between modules of a crate (make the modules a tree):\n{}",
        unexpected.join("\n")
    );
    assert!(
        gone.is_empty(),
        "these known loops are gone: remove them from KNOWN_LOOPS\n{}",
        gone.join("\n")
    );
}

#[test]
fn the_reader_sees_uses_and_paths_but_not_comments_or_strings() {
    let src = r##"
//! Doc link [`crate::b::X`] in a comment.
use crate::a::{self, Item as Other, deep::{One, Two}};
use super::*;
/* a block comment: crate::c::Y /* nested crate::d */ */
fn f() -> &'static str { let _c = 'x'; let _q = '\''; let s = "crate::e::Z"; crate::f::g(); r#"crate::h"# }
"##;
    let toks: Vec<Tok> = lex(src).into_iter().map(|t| t.0).collect();
    let idents: Vec<&str> = toks
        .iter()
        .filter_map(|t| match t {
            Tok::Ident(w) => Some(w.as_str()),
            _ => None,
        })
        .collect();
    for absent in ["b", "c", "d", "e", "h", "X", "Y", "Z"] {
        assert!(
            !idents.contains(&absent),
            "{absent} leaked from a comment or string: {idents:?}"
        );
    }
    assert!(idents.contains(&"f") && idents.contains(&"g"));
    let start = toks
        .iter()
        .position(|t| *t == Tok::Ident("use".into()))
        .unwrap();
    let end = toks.iter().position(|t| *t == Tok::Punct(';')).unwrap();
    let mut flat = Vec::new();
    use_tree(&toks[start + 1..end], &[], &mut flat);
    let s = |v: &[&str]| v.iter().map(|x| x.to_string()).collect::<Vec<_>>();
    assert_eq!(
        flat,
        vec![
            (s(&["crate", "a"]), Some("a".to_string())),
            (s(&["crate", "a", "Item"]), Some("Other".to_string())),
            (s(&["crate", "a", "deep", "One"]), Some("One".to_string())),
            (s(&["crate", "a", "deep", "Two"]), Some("Two".to_string())),
        ]
    );
}

/// A crate written for the test: `a` and `b` import each other (one through a re-export and a
/// glob), `c` imports both and is imported by none, a test module of `b` imports `c`, and a doc
/// link points back from `c` to itself through `a`.
#[test]
fn a_loop_is_found_through_re_exports_and_test_modules_are_left_out() {
    let dir = tempfile::tempdir().unwrap();
    let src = dir.path().join("src");
    fs::create_dir_all(src.join("b")).unwrap();
    let files = [
        ("lib.rs", "mod a;\nmod b;\nmod c;\npub use b::Thing;\n"),
        ("a.rs", "use crate::Thing;\npub fn f() -> Thing { Thing }\n"),
        (
            "b/mod.rs",
            "mod part;\npub use part::*;\n#[cfg(test)]\nmod tests {\n    use crate::c::g;\n}\n",
        ),
        (
            "b/part.rs",
            "pub struct Thing;\npub fn h() { super::super::a::f(); }\n",
        ),
        (
            "c.rs",
            "//! See [`crate::a::f`].\nuse crate::{a, b};\npub fn g() { a::f(); }\n",
        ),
    ];
    for (name, text) in files {
        fs::write(src.join(name), text).unwrap();
    }
    let krate = read_crate(&src);
    let edges = sibling_edges(dir.path(), &krate);
    let pairs: BTreeSet<(String, String)> = edges
        .keys()
        .filter(|(parent, _, _)| parent.is_empty())
        .map(|(_, from, to)| (from.clone(), to.clone()))
        .collect();
    let pair = |a: &str, b: &str| (a.to_string(), b.to_string());
    assert_eq!(
        pairs,
        BTreeSet::from([
            pair("a", "b"),
            pair("b", "a"),
            pair("c", "a"),
            pair("c", "b")
        ]),
        "{edges:?}"
    );
    let found = loops(&edges);
    assert_eq!(
        found,
        vec![(
            Vec::new(),
            BTreeSet::from(["a".to_string(), "b".to_string()])
        )]
    );
    let text = describe(&edges, &Vec::new(), &found[0].1);
    assert!(text.starts_with("the crate root: a → b → a"), "{text}");
    assert!(text.contains("src/b/part.rs:2"), "{text}");
}
