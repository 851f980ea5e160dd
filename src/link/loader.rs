//! A loader for the relocatable ELF objects `cranelift-object` produces.
//!
//! The object's allocated sections are laid out in one block of executable
//! memory (`code_memory`, so every PC-relative reference stays in range), and
//! relocations are applied with symbols resolved only through the caller's
//! allow-list before the block becomes executable — never writable and
//! executable at once.

use super::code_memory::{self, CodeMemory};
use object::{Object, ObjectSection, ObjectSymbol, RelocationFlags, RelocationTarget, SectionKind};

/// Code loaded from an object file; released on drop.
pub struct LoadedObject {
    memory: CodeMemory,
    /// Where the entry symbol's function lies in the block, and its size.
    entry: (usize, usize),
    second_entry: Option<(usize, usize)>,
}

impl LoadedObject {
    /// Address of the entry symbol.
    pub fn entry(&self) -> *const u8 {
        // SAFETY: `entry` was checked to lie inside the loaded block.
        unsafe { self.memory.address().add(self.entry.0) }
    }
    /// Bytes of the entry symbol's function.
    pub fn code_size(&self) -> usize {
        self.entry.1
    }
    /// Address and size of the second entry symbol's function, if the object defines it.
    pub fn second_entry(&self) -> Option<(*const u8, usize)> {
        // SAFETY: `second_entry` was checked to lie inside the loaded block.
        self.second_entry.map(|(at, size)| (unsafe { self.memory.address().add(at) }, size))
    }
}

/// The names of the symbols `bytes` imports, in symbol-table order.
pub fn imported_symbols(bytes: &[u8]) -> Result<Vec<String>, LoadError> {
    let file = object::File::parse(bytes).map_err(|e| err(format!("not an object file: {e}")))?;
    file.symbols()
        .filter(|symbol| symbol.is_undefined() && !symbol.name().unwrap_or("").is_empty())
        .map(|symbol| symbol.name().map(str::to_owned).map_err(|e| err(format!("bad symbol name: {e}"))))
        .collect()
}

/// Why an object could not be loaded.
#[derive(Debug)]
pub struct LoadError(pub String);

impl From<String> for LoadError {
    fn from(message: String) -> Self {
        LoadError(message)
    }
}

fn err(message: impl Into<String>) -> LoadError {
    LoadError(message.into())
}

/// Loads `bytes` and returns the code with the address of `entry_symbol`
/// (and of `second_symbol`, if given and defined).
/// `resolve` maps imported symbol names to addresses; any other import, any
/// unsupported relocation kind, or any out-of-range reference is refused, and
/// so is an object whose imports, in symbol-table order, are not
/// `expected_imports` when that is given (a cache entry's list).
pub fn load(
    bytes: &[u8],
    entry_symbol: &str,
    second_symbol: Option<&str>,
    resolve: impl Fn(&str) -> Option<*const u8>,
    expected_imports: Option<&[&str]>,
) -> Result<LoadedObject, LoadError> {
    let file = object::File::parse(bytes).map_err(|e| err(format!("not an object file: {e}")))?;
    // Each imported symbol resolved once (an object refers to each helper from many
    // relocations), by symbol index.
    // Symbol indexes start at 1 (0 is ELF's null symbol).
    let mut imported = IndexMap::with_capacity(file.symbols().count() + 1);
    let mut import_count = 0;
    for symbol in file.symbols().filter(|symbol| symbol.is_undefined()) {
        let name_bytes = symbol.name_bytes().map_err(|e| err(format!("bad symbol name: {e}")))?;
        if name_bytes.is_empty() {
            continue;
        }
        // Against an expected list the names are compared as bytes and the list's
        // (already checked) strings resolved: no UTF-8 check of each name.
        let name = match expected_imports {
            Some(expected) => match expected.get(import_count) {
                Some(&name) if name.as_bytes() == name_bytes => name,
                _ => return Err(err("its import list does not match its object")),
            },
            None => symbol.name().map_err(|e| err(format!("bad symbol name: {e}")))?,
        };
        let address = resolve(name).ok_or_else(|| err(format!("symbol {name} is not allowed")))?;
        imported.insert(symbol.index().0, address as u64);
        import_count += 1;
    }
    if expected_imports.is_some_and(|expected| expected.len() != import_count) {
        return Err(err("its import list does not match its object"));
    }
    let loadable = |kind: SectionKind| {
        matches!(
            kind,
            SectionKind::Text
                | SectionKind::Data
                | SectionKind::ReadOnlyData
                | SectionKind::ReadOnlyString
                | SectionKind::UninitializedData
        )
    };
    // Lay the sections out in one block, each at its alignment.
    let mut placement = IndexMap::default();
    let mut size = 0usize;
    // Functions start on a cache line at least: where their code falls relative to cache
    // lines (and the branch predictor's indexing) then does not depend on what was
    // loaded before them.
    let mut block_align = 64;
    for section in file.sections().filter(|s| loadable(s.kind())) {
        let align = section.align().max(1) as usize;
        if !align.is_power_of_two() || align > code_memory::MAX_ALIGN {
            return Err(err(format!("section alignment {align} is not supported")));
        }
        block_align = block_align.max(align);
        size = size.next_multiple_of(align);
        placement.insert(section.index().0, size);
        size += section.size() as usize;
    }
    // Where the function the symbol `name` defines lands in the block, and
    // its size, if the object defines it.
    let defined_at = |name: &str| -> Result<Option<(usize, usize)>, LoadError> {
        let Some(symbol) = file.symbols().find(|s| s.name_bytes() == Ok(name.as_bytes()) && !s.is_undefined()) else {
            return Ok(None);
        };
        let section = symbol.section_index().ok_or_else(|| err("entry symbol without section"))?;
        let at = placement.get(section.0).ok_or_else(|| err("entry symbol in an unloaded section"))?
            + symbol.address() as usize;
        let length = symbol.size() as usize;
        if at >= size || length > size - at {
            return Err(err("entry symbol outside the loaded code"));
        }
        Ok(Some((at, length)))
    };
    let entry = defined_at(entry_symbol)?.ok_or_else(|| err(format!("entry symbol {entry_symbol} not found")))?;
    let second_entry = second_symbol.map(defined_at).transpose()?.flatten();
    let memory = code_memory::install(size, block_align, |block: &mut [u8], base: u64| {
        for section in file.sections().filter(|s| loadable(s.kind())) {
            if section.kind() == SectionKind::UninitializedData {
                continue;
            }
            let data = section.data().map_err(|e| err(format!("bad section data: {e}")))?;
            let at = placement.get(section.index().0).expect("placed above");
            block[at..at + data.len()].copy_from_slice(data);
        }
        let symbol_address = |symbol: &object::Symbol<'_, '_>| -> Result<u64, LoadError> {
            if symbol.is_undefined() {
                imported.get(symbol.index().0).ok_or_else(|| err("relocation to an unnamed symbol"))
            } else {
                let section = symbol.section_index().ok_or_else(|| err("symbol without section"))?;
                let at = placement.get(section.0).ok_or_else(|| err("symbol in an unloaded section"))?;
                Ok(base + (at as u64) + symbol.address())
            }
        };
        for section in file.sections().filter(|s| loadable(s.kind())) {
            let section_at = placement.get(section.index().0).expect("placed above");
            for (offset, reloc) in section.relocations() {
                let target = match reloc.target() {
                    // Most relocations refer to an import, resolved above by index.
                    RelocationTarget::Symbol(index) => match imported.get(index.0) {
                        Some(address) => address,
                        None => {
                            let symbol = file.symbol_by_index(index).map_err(|e| err(format!("bad symbol: {e}")))?;
                            symbol_address(&symbol)?
                        }
                    },
                    RelocationTarget::Section(index) => {
                        base + placement.get(index.0).ok_or_else(|| err("relocation to an unloaded section"))? as u64
                    }
                    _ => return Err(err("unsupported relocation target")),
                };
                let value = target.wrapping_add(reloc.addend() as u64);
                let at = section_at + offset as usize;
                apply(block, at, reloc.flags(), value, base + at as u64)?;
            }
        }
        Ok(())
    })?;
    Ok(LoadedObject { memory, entry, second_entry })
}

/// Patches one relocation at `at` in `block` (x86-64 kinds Cranelift emits for
/// non-PIC code) that will run at `place`.
fn apply(block: &mut [u8], at: usize, flags: RelocationFlags, value: u64, place: u64) -> Result<(), LoadError> {
    use object::elf;
    let RelocationFlags::Elf { r_type } = flags else {
        return Err(err("not an ELF relocation"));
    };
    match r_type {
        elf::R_X86_64_64 => {
            let bytes = block.get_mut(at..at + 8).ok_or_else(|| err("relocation outside its section"))?;
            bytes.copy_from_slice(&value.to_le_bytes());
        }
        elf::R_X86_64_PC32 | elf::R_X86_64_PLT32 => {
            let delta = i32::try_from(value.wrapping_sub(place) as i64).map_err(|_| err("PC-relative reference out of range"))?;
            let bytes = block.get_mut(at..at + 4).ok_or_else(|| err("relocation outside its section"))?;
            bytes.copy_from_slice(&delta.to_le_bytes());
        }
        other => return Err(err(format!("unsupported relocation type {other:?}"))),
    }
    Ok(())
}

/// Values by a small index (an object's section or symbol index): a vector, as the
/// indexes of one object are dense.
struct IndexMap<T>(Vec<Option<T>>);

impl<T> Default for IndexMap<T> {
    fn default() -> Self {
        IndexMap(Vec::new())
    }
}

impl<T: Copy> IndexMap<T> {
    /// A map for indexes below `capacity` that grows no further for them.
    fn with_capacity(capacity: usize) -> Self {
        IndexMap(vec![None; capacity])
    }
    fn insert(&mut self, index: usize, value: T) {
        if self.0.len() <= index {
            self.0.resize_with(index + 1, || None);
        }
        self.0[index] = Some(value);
    }
    fn get(&self, index: usize) -> Option<T> {
        self.0.get(index).copied().flatten()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use object::write::{self, StandardSection, Symbol, SymbolSection};
    use object::{elf, Architecture, BinaryFormat, Endianness, SymbolFlags, SymbolKind, SymbolScope};

    const ADDRESSES: [(&str, u64); 2] = [("pyjit_first", 0x1111_2222_3333), ("pyjit_second", 0x4444_5555_6666)];

    fn resolve(name: &str) -> Option<*const u8> {
        ADDRESSES.iter().find(|(known, _)| *known == name).map(|&(_, address)| address as *const u8)
    }

    /// An x86-64 ELF object whose function `entry` loads the address of each of
    /// `imports` (`movabs rax, imm64`, an `r_type` relocation each) and returns.
    fn object_importing(imports: &[&str], r_type: elf::RelocationType) -> Vec<u8> {
        let mut obj = write::Object::new(BinaryFormat::Elf, Architecture::X86_64, Endianness::Little);
        let text = obj.section_id(StandardSection::Text);
        let mut code = Vec::new();
        for _ in imports {
            code.extend([0x48, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0]);
        }
        code.push(0xc3);
        let start = obj.append_section_data(text, &code, 16);
        obj.add_symbol(Symbol {
            name: b"entry".to_vec(),
            value: start,
            size: code.len() as u64,
            kind: SymbolKind::Text,
            scope: SymbolScope::Linkage,
            weak: false,
            section: SymbolSection::Section(text),
            flags: SymbolFlags::None,
        });
        for (i, name) in imports.iter().enumerate() {
            let symbol = obj.add_symbol(Symbol {
                name: name.as_bytes().to_vec(),
                value: 0,
                size: 0,
                kind: SymbolKind::Unknown,
                scope: SymbolScope::Unknown,
                weak: false,
                section: SymbolSection::Undefined,
                flags: SymbolFlags::None,
            });
            let relocation = write::Relocation {
                offset: start + 10 * i as u64 + 2,
                symbol,
                addend: 0,
                flags: RelocationFlags::Elf { r_type },
            };
            obj.add_relocation(text, relocation).expect("a relocation of the text section");
        }
        obj.write().expect("a writable object")
    }

    #[test]
    fn imports_are_resolved_into_the_code() {
        let bytes = object_importing(&["pyjit_first", "pyjit_second"], elf::R_X86_64_64);
        let loaded = load(&bytes, "entry", None, resolve, Some(&["pyjit_first", "pyjit_second"])).expect("loads");
        // SAFETY: the mapping is readable and holds the two 10-byte instructions.
        let code = unsafe { std::slice::from_raw_parts(loaded.entry(), 21) };
        for (i, (_, address)) in ADDRESSES.iter().enumerate() {
            assert_eq!(code[10 * i + 2..10 * i + 10], address.to_le_bytes());
        }
        assert_eq!(loaded.code_size(), 21);
    }

    #[test]
    fn an_import_list_that_differs_from_the_object_is_refused() {
        let bytes = object_importing(&["pyjit_first", "pyjit_second"], elf::R_X86_64_64);
        for list in [&["pyjit_first"][..], &["pyjit_second", "pyjit_first"], &["pyjit_first", "pyjit_second", "pyjit_first"]] {
            let refused = load(&bytes, "entry", None, resolve, Some(list)).err().expect("refused");
            assert_eq!(refused.0, "its import list does not match its object");
        }
    }

    #[test]
    fn symbols_outside_the_allow_list_and_other_relocations_are_refused() {
        let bytes = object_importing(&["PyRun_SimpleString"], elf::R_X86_64_64);
        let refused = load(&bytes, "entry", None, resolve, None).err().expect("refused");
        assert_eq!(refused.0, "symbol PyRun_SimpleString is not allowed");
        let bytes = object_importing(&["pyjit_first"], elf::R_X86_64_GOTPCREL);
        let refused = load(&bytes, "entry", None, resolve, None).err().expect("refused");
        assert!(refused.0.starts_with("unsupported relocation type"), "{}", refused.0);
        let bytes = object_importing(&["pyjit_first"], elf::R_X86_64_64);
        let refused = load(&bytes, "missing", None, resolve, None).err().expect("refused");
        assert_eq!(refused.0, "entry symbol missing not found");
        assert!(load(b"not an object", "entry", None, resolve, None).is_err());
    }

    #[test]
    fn a_second_entry_is_found_by_name_with_its_size_when_defined() {
        let bytes = object_importing(&["pyjit_first"], elf::R_X86_64_64);
        let loaded = load(&bytes, "entry", Some("entry"), resolve, None).expect("loads");
        assert_eq!(loaded.second_entry(), Some((loaded.entry(), 11)));
        let loaded = load(&bytes, "entry", Some("entry.frameless"), resolve, None).expect("loads");
        assert_eq!(loaded.second_entry(), None);
        assert_eq!(load(&bytes, "entry", None, resolve, None).expect("loads").second_entry(), None);
    }
}
