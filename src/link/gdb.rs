//! The GDB JIT interface ("JIT Compilation Interface" in gdb's manual; lldb reads it
//! too): each native code attached is described to a debugger by a small in-memory ELF
//! file naming it, so that backtraces and `info symbol` show `pyjit:QUALNAME (FILE:LINE)`
//! instead of `??`. A debugger puts a breakpoint in `__jit_debug_register_code` and
//! reads `__jit_debug_descriptor` when it is hit; without one attached, registering
//! costs building the file and one call of an empty function.

use object::elf;
use object::endian::{LittleEndian as LE, U16, U32, U64};
use object::pod::bytes_of;
use std::sync::Mutex;

#[repr(C)]
struct JitCodeEntry {
    next_entry: *mut JitCodeEntry,
    prev_entry: *mut JitCodeEntry,
    symfile_addr: *const u8,
    symfile_size: u64,
}

/// The list head gdb reads, with the action of the latest call.
#[repr(C)]
pub struct JitDescriptor {
    version: u32,
    action_flag: u32,
    relevant_entry: *mut JitCodeEntry,
    first_entry: *mut JitCodeEntry,
}

const JIT_NOACTION: u32 = 0;
const JIT_REGISTER_FN: u32 = 1;
const JIT_UNREGISTER_FN: u32 = 2;

/// The symbol gdb looks up by name, as the interface defines it; changed only by
/// `notify` under `LIST`.
#[unsafe(no_mangle)]
pub static mut __jit_debug_descriptor: JitDescriptor =
    JitDescriptor { version: 1, action_flag: JIT_NOACTION, relevant_entry: std::ptr::null_mut(), first_entry: std::ptr::null_mut() };

/// Where a debugger's breakpoint catches each change of the list.
#[unsafe(no_mangle)]
#[inline(never)]
pub extern "C" fn __jit_debug_register_code() {
    // Something the optimizer must keep, so that the function is not merged with another.
    std::hint::black_box(());
}

/// Serializes changes of the list (registrations happen with the GIL held, but the
/// list is process-wide and its users need not know that).
static LIST: Mutex<()> = Mutex::new(());

/// Native code described to debuggers; dropping it withdraws the description.
pub struct Registration {
    entry: Box<JitCodeEntry>,
    _symfile: Box<[u8]>,
}

/// Describes the `size` bytes of code at `address` as the function `name`.
pub fn register(address: usize, size: usize, name: &str) -> Registration {
    let symfile = symbol_file(address as u64, size as u64, name).into_boxed_slice();
    let mut entry = Box::new(JitCodeEntry {
        next_entry: std::ptr::null_mut(),
        prev_entry: std::ptr::null_mut(),
        symfile_addr: symfile.as_ptr(),
        symfile_size: symfile.len() as u64,
    });
    let _guard = LIST.lock().unwrap_or_else(|e| e.into_inner());
    let descriptor = &raw mut __jit_debug_descriptor;
    let new: *mut JitCodeEntry = &mut *entry;
    // SAFETY: the descriptor and the entries are changed only here and in `drop`,
    // under `LIST`; the entry lives in its box until `drop` unlinks it.
    unsafe {
        (*new).next_entry = (*descriptor).first_entry;
        if let Some(first) = (*descriptor).first_entry.as_mut() {
            first.prev_entry = new;
        }
        (*descriptor).first_entry = new;
        notify(descriptor, JIT_REGISTER_FN, new);
    }
    Registration { entry, _symfile: symfile }
}

impl Drop for Registration {
    fn drop(&mut self) {
        let _guard = LIST.lock().unwrap_or_else(|e| e.into_inner());
        let descriptor = &raw mut __jit_debug_descriptor;
        let entry: *mut JitCodeEntry = &mut *self.entry;
        // SAFETY: as in `register`; the entry is in the list.
        unsafe {
            match (*entry).prev_entry.as_mut() {
                Some(prev) => prev.next_entry = (*entry).next_entry,
                None => (*descriptor).first_entry = (*entry).next_entry,
            }
            if let Some(next) = (*entry).next_entry.as_mut() {
                next.prev_entry = (*entry).prev_entry;
            }
            notify(descriptor, JIT_UNREGISTER_FN, entry);
        }
    }
}

/// Tells an attached debugger that `entry` was added or removed (`action`).
///
/// # Safety
/// Under `LIST`, with `descriptor` the interface's descriptor.
unsafe fn notify(descriptor: *mut JitDescriptor, action: u32, entry: *mut JitCodeEntry) {
    // SAFETY: see above.
    unsafe {
        (*descriptor).action_flag = action;
        (*descriptor).relevant_entry = entry;
        __jit_debug_register_code();
        (*descriptor).action_flag = JIT_NOACTION;
        (*descriptor).relevant_entry = std::ptr::null_mut();
    }
}

/// A relocatable ELF file with one section, `.text`, at `address` (`SHT_NOBITS`: the
/// debugger reads the code from the process) and one function symbol, `name`, over
/// its `size` bytes. Debuggers place a JIT file's sections at their `sh_addr`.
fn symbol_file(address: u64, size: u64, name: &str) -> Vec<u8> {
    const SHSTRTAB: &[u8] = b"\0.text\0.symtab\0.strtab\0.shstrtab\0";
    let (text_name, symtab_name, strtab_name, shstrtab_name) = (1, 7, 15, 23);
    let mut strtab = vec![0u8];
    strtab.extend_from_slice(name.as_bytes());
    strtab.push(0);
    let symbol = |name: u32, info: elf::SymbolInfo, section: u16, size: u64| elf::Sym64::<LE> {
        st_name: U32::new(LE, name),
        st_info: info,
        st_other: elf::SymbolOther(0),
        st_shndx: U16::new(LE, elf::SymbolSection(section)),
        st_value: U64::new(LE, 0),
        st_size: U64::new(LE, size),
    };
    // The null symbol, then the function over the whole of `.text` (section 1).
    let symbols = [
        symbol(0, elf::SymbolInfo(0), 0, 0),
        symbol(1, elf::SymbolInfo::new(elf::STB_GLOBAL, elf::STT_FUNC), 1, size),
    ];
    let header_size = std::mem::size_of::<elf::FileHeader64<LE>>() as u64;
    let symtab_offset = header_size;
    let symtab_size = std::mem::size_of_val(&symbols) as u64;
    let strtab_offset = symtab_offset + symtab_size;
    let shstrtab_offset = strtab_offset + strtab.len() as u64;
    let sections_offset = (shstrtab_offset + SHSTRTAB.len() as u64).next_multiple_of(8);
    let section = |name: u32, kind: elf::SectionType, flags: u64, addr: u64, offset: u64, size: u64, link: u32, info: u32, align: u64, entsize: u64| {
        elf::SectionHeader64::<LE> {
            sh_name: U32::new(LE, name),
            sh_type: U32::new(LE, kind),
            sh_flags: U64::new(LE, elf::SectionFlags(flags)),
            sh_addr: U64::new(LE, addr),
            sh_offset: U64::new(LE, offset),
            sh_size: U64::new(LE, size),
            sh_link: U32::new(LE, link),
            sh_info: U32::new(LE, info),
            sh_addralign: U64::new(LE, align),
            sh_entsize: U64::new(LE, entsize),
        }
    };
    let sections = [
        section(0, elf::SHT_NULL, 0, 0, 0, 0, 0, 0, 0, 0),
        section(text_name, elf::SHT_NOBITS, elf::SHF_ALLOC.0 | elf::SHF_EXECINSTR.0, address, 0, size, 0, 0, 16, 0),
        section(symtab_name, elf::SHT_SYMTAB, 0, 0, symtab_offset, symtab_size, 3, 1, 8, std::mem::size_of::<elf::Sym64<LE>>() as u64),
        section(strtab_name, elf::SHT_STRTAB, 0, 0, strtab_offset, strtab.len() as u64, 0, 0, 1, 0),
        section(shstrtab_name, elf::SHT_STRTAB, 0, 0, shstrtab_offset, SHSTRTAB.len() as u64, 0, 0, 1, 0),
    ];
    let header = elf::FileHeader64::<LE> {
        e_ident: elf::Ident {
            magic: elf::ELFMAG,
            class: elf::ELFCLASS64,
            data: elf::ELFDATA2LSB,
            version: elf::EV_CURRENT,
            os_abi: elf::ELFOSABI_NONE,
            abi_version: 0,
            padding: [0; 7],
        },
        e_type: U16::new(LE, elf::ET_REL),
        e_machine: U16::new(LE, host_machine()),
        e_version: U32::new(LE, u32::from(elf::EV_CURRENT.0)),
        e_entry: U64::new(LE, 0),
        e_phoff: U64::new(LE, 0),
        e_shoff: U64::new(LE, sections_offset),
        e_flags: U32::new(LE, elf::FileFlags(0)),
        e_ehsize: U16::new(LE, header_size as u16),
        e_phentsize: U16::new(LE, 0),
        e_phnum: U16::new(LE, 0),
        e_shentsize: U16::new(LE, std::mem::size_of::<elf::SectionHeader64<LE>>() as u16),
        e_shnum: U16::new(LE, sections.len() as u16),
        e_shstrndx: U16::new(LE, elf::SymbolSection(4)),
    };
    let mut file = Vec::with_capacity(sections_offset as usize + std::mem::size_of_val(&sections));
    file.extend_from_slice(bytes_of(&header));
    for symbol in &symbols {
        file.extend_from_slice(bytes_of(symbol));
    }
    file.extend_from_slice(&strtab);
    file.extend_from_slice(SHSTRTAB);
    file.resize(sections_offset as usize, 0);
    for header in &sections {
        file.extend_from_slice(bytes_of(header));
    }
    file
}

/// The ELF machine of the code pyjit generates (the host's).
fn host_machine() -> elf::Machine {
    if cfg!(target_arch = "aarch64") { elf::EM_AARCH64 } else { elf::EM_X86_64 }
}

#[cfg(test)]
mod tests {
    use super::*;
    use object::read::elf::ElfFile64;
    use object::{Object, ObjectSection, ObjectSymbol};

    #[test]
    fn the_symbol_file_places_one_function_at_the_code() {
        let file = symbol_file(0x7f00_1234_5000, 0x2a0, "pyjit:f (m.py:3)");
        let elf = ElfFile64::<LE>::parse(&*file).expect("a valid ELF file");
        let text = elf.section_by_name(".text").expect("a .text section");
        assert_eq!((text.address(), text.size()), (0x7f00_1234_5000, 0x2a0));
        let symbols: Vec<_> = elf.symbols().map(|s| (s.name().unwrap().to_owned(), s.section_index(), s.size())).collect();
        assert_eq!(symbols, [("pyjit:f (m.py:3)".to_owned(), Some(text.index()), 0x2a0)]);
    }

    #[test]
    fn registrations_link_and_unlink_in_the_descriptors_list() {
        let first = register(0x1000, 16, "pyjit:first");
        let second = register(0x2000, 16, "pyjit:second");
        let names = || {
            let _guard = LIST.lock().unwrap();
            // SAFETY: the descriptor is read under `LIST`.
            let mut entry = unsafe { (*(&raw const __jit_debug_descriptor)).first_entry };
            let mut found = Vec::new();
            // SAFETY: the list is read under `LIST`; its entries are alive.
            while let Some(current) = unsafe { entry.as_ref() } {
                let symfile = unsafe { std::slice::from_raw_parts(current.symfile_addr, current.symfile_size as usize) };
                let elf = ElfFile64::<LE>::parse(symfile).unwrap();
                found.push(elf.symbols().next().unwrap().name().unwrap().to_owned());
                entry = current.next_entry;
            }
            found
        };
        let listed = names();
        assert!(listed.starts_with(&["pyjit:second".to_owned(), "pyjit:first".to_owned()]), "{listed:?}");
        drop(first);
        assert!(!names().contains(&"pyjit:first".to_owned()));
        drop(second);
        assert!(!names().iter().any(|name| name == "pyjit:first" || name == "pyjit:second"));
        // SAFETY: no registration is changing the descriptor (the tests' own are done).
        assert_eq!(unsafe { (*(&raw const __jit_debug_descriptor)).action_flag }, JIT_NOACTION);
    }
}
