//! What every row of one file is parsed against: the file's place in the import, the as-of day,
//! the category names shared by all workers (and each worker's cache of them), the sharding.

use std::collections::HashMap;
use std::path::Path;
use std::sync::Mutex;

use ahash::RandomState;
use clientele_core::Day;

use super::shards::Sharding;

pub(crate) struct FileContext<'a> {
    pub(crate) index: u32,
    pub(crate) path: &'a Path,
    pub(crate) as_of: Option<Day>,
    pub(crate) categories: &'a CategoryTable,
    /// How customers are dealt to shards: the same for every file of an import.
    pub(crate) sharding: &'a Sharding,
}

/// Category names shared by all workers; each worker caches the ids it has seen.
#[derive(Default)]
pub(crate) struct CategoryTable {
    names: Mutex<(HashMap<String, u32>, Vec<String>)>,
}

impl CategoryTable {
    pub(crate) fn id(&self, name: &str) -> u32 {
        let mut guard = self.names.lock().expect("no worker panicked");
        let (map, names) = &mut *guard;
        if let Some(&id) = map.get(name) {
            return id;
        }
        let id = names.len() as u32;
        names.push(name.to_string());
        map.insert(name.to_string(), id);
        id
    }

    pub(crate) fn into_names(self) -> Vec<String> {
        self.names.into_inner().expect("no worker panicked").1
    }
}

/// The category ids a worker has met, by name: a short list, scanned, while the categories are
/// few (a shop has a handful to a few dozen, and comparing a few short names costs less than
/// hashing one on every row), and a hash map beyond.
#[derive(Default)]
pub(crate) struct KnownCategories {
    few: Vec<(Box<str>, u32)>,
    many: HashMap<String, u32, RandomState>,
}

impl KnownCategories {
    /// Names kept in the scanned list before the map takes over.
    const FEW: usize = 16;

    pub(crate) fn get(&self, name: &str) -> Option<u32> {
        if self.many.is_empty() {
            self.few
                .iter()
                .find(|(n, _)| &**n == name)
                .map(|&(_, id)| id)
        } else {
            self.many.get(name).copied()
        }
    }

    pub(crate) fn insert(&mut self, name: &str, id: u32) {
        if self.many.is_empty() && self.few.len() < Self::FEW {
            self.few.push((name.into(), id));
            return;
        }
        for (n, id) in self.few.drain(..) {
            self.many.insert(n.into(), id);
        }
        self.many.insert(name.to_string(), id);
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn known_categories_are_found_in_the_list_and_after_it_in_the_map() {
        let mut known = super::KnownCategories::default();
        let names: Vec<String> = (0..40).map(|k| format!("category {k}")).collect();
        for (id, name) in (0u32..).zip(&names) {
            assert_eq!(known.get(name), None, "{name} before it is added");
            known.insert(name, id * 7);
            // Every name added so far, whichever structure holds it now.
            for (earlier, n) in (0u32..).zip(&names).take(id as usize + 1) {
                assert_eq!(known.get(n), Some(earlier * 7), "{n} after {id} names");
            }
        }
        assert!(known.few.is_empty() && known.many.len() == 40);
        assert_eq!(known.get("category"), None);
    }
}
