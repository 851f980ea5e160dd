//! Attribute access and method lookup, through per-site inline caches
//! (`helpers::caches`) where the profile shows a cacheable kind.

use crate::abi::{self, op};
use crate::codegen::lowering::{Lowering, Operand};
use crate::config::Optimization;
use crate::helpers::caches::{self, attr};
use crate::profile::Observed;
use cranelift_codegen::ir::condcodes::IntCC;
use cranelift_codegen::ir::{Block, BlockArg, InstBuilder, Value};

pub fn lower(lw: &mut Lowering) {
    // The name's index in `co_names`: the name itself is loaded where a path
    // needs it, mostly the slow ones.
    let name = lw.ins.arg;
    lw.position_for_calls();
    match lw.ins.opcode {
        op::LOAD_ATTR => {
            let owner = lw.pop_operand();
            let value = match attr_kind(lw.observed()).filter(|_| lw.apply(Optimization::InlineCacheAttrs)) {
                Some(kind) => load_attr_cached(lw, owner, name, kind),
                None => {
                    let owner = lw.own(owner);
                    let name = lw.name(name);
                    let value = lw.call("pyjit_load_attr", &[owner, name]);
                    lw.raise_if_null(value);
                    value
                }
            };
            lw.push(value);
        }
        op::STORE_ATTR => {
            let owner = lw.pop_operand();
            let value = lw.pop();
            let kind = match lw.observed() {
                // A site the interpreter kept generic most often met several
                // types (3.11 caches one): the entries take one each.
                Observed::Nothing | Observed::Generic | Observed::Specialized(op::STORE_ATTR_INSTANCE_VALUE) => {
                    Some(caches::ATTR_INSTANCE_VALUE)
                }
                Observed::Specialized(op::STORE_ATTR_SLOT) => Some(caches::ATTR_SLOT),
                // A frameless variant could not undo a dict's new version:
                // it gives the call back instead (through the runtime call).
                Observed::Specialized(op::STORE_ATTR_WITH_HINT) if lw.counts_references() => Some(caches::ATTR_DICT_HINT),
                _ => None,
            };
            if let Some(kind) = kind.filter(|_| lw.apply(Optimization::InlineCacheStoreAttr)) {
                store_attr_cached(lw, owner, name, value, kind);
            } else {
                let owner = lw.own(owner);
                let name = lw.name(name);
                let status = lw.call("pyjit_store_attr", &[owner, name, value]);
                lw.raise_if_negative(status);
            }
        }
        op::DELETE_ATTR => {
            let owner = lw.pop();
            let null = lw.iconst(0);
            let name = lw.name(name);
            let status = lw.call("pyjit_store_attr", &[owner, name, null]);
            lw.raise_if_negative(status);
        }
        op::LOAD_METHOD => {
            let observed = lw.observed();
            let cached = matches!(
                observed,
                Observed::Nothing
                    | Observed::Generic
                    | Observed::Specialized(
                        op::LOAD_METHOD_WITH_VALUES
                            | op::LOAD_METHOD_NO_DICT
                            | op::LOAD_METHOD_WITH_DICT
                            | op::LOAD_METHOD_CLASS
                            | op::LOAD_METHOD_MODULE
                    )
            ) && lw.apply(Optimization::InlineCacheMethods);
            if cached {
                let site = lw.data_entry();
                let miss = match observed {
                    Observed::Specialized(op::LOAD_METHOD_CLASS) => class_attribute_hit(lw, site),
                    Observed::Specialized(op::LOAD_METHOD_MODULE) => module_attribute_hit(lw, site),
                    // Owners with dicts of their own may be why the
                    // interpreter kept a site generic.
                    Observed::Specialized(op::LOAD_METHOD_WITH_DICT) | Observed::Generic => {
                        load_method_hit(lw, site, Some(name))
                    }
                    _ => load_method_hit(lw, site, None),
                };
                lw.finish_cached(None, miss, |lw| {
                    // The slow path starts with the owner alone on the stack.
                    lw.depth -= 1;
                    let name = lw.name(name);
                    load_method(lw, "pyjit_load_method_cached", &[name, site]);
                    None
                });
            } else {
                let name = lw.name(name);
                load_method(lw, "pyjit_load_method", &[name]);
            }
        }
        _ => unreachable!("not an attribute opcode"),
    }
}

/// LOAD_METHOD through the runtime function `symbol`, given the frame's
/// stack slots and `args`: the object is written to its stack slot, and the
/// function replaces it with [method, self] or [NULL, attribute].
fn load_method(lw: &mut Lowering, symbol: &'static str, args: &[Value]) {
    let base = lw.depth - 1;
    lw.spill(base, base + 1);
    let slots = lw.stack_address(base);
    let args: Vec<Value> = std::iter::once(slots).chain(args.iter().copied()).collect();
    let status = lw.call(symbol, &args);
    lw.raise_if_negative(status);
    lw.depth += 1;
    lw.reload(base, base + 2);
}

/// The cached LOAD_ATTR kind to emit for what the interpreter observed:
/// its specialisation, or instance values (the commonest) without a
/// profile. 3.11 does not specialise loads from classes, nor sites that
/// meet several types: a site it could not specialise reads a class's
/// attribute or an instance value (`unspecialized_attribute`).
fn attr_kind(observed: Observed) -> Option<isize> {
    match observed {
        Observed::Generic => Some(caches::ATTR_UNSPECIALIZED),
        Observed::Nothing | Observed::Specialized(op::LOAD_ATTR_INSTANCE_VALUE) => Some(caches::ATTR_INSTANCE_VALUE),
        Observed::Specialized(op::LOAD_ATTR_SLOT) => Some(caches::ATTR_SLOT),
        Observed::Specialized(op::LOAD_ATTR_MODULE) => Some(caches::ATTR_MODULE),
        Observed::Specialized(op::LOAD_ATTR_WITH_HINT) => Some(caches::ATTR_DICT_HINT),
        _ => None,
    }
}

/// The pointer `bytes` before `obj` (in a managed-dict instance's pre-header).
fn load_before(lw: &mut Lowering, obj: Value, bytes: usize) -> Value {
    let at = lw.b.ins().iadd_imm_s(obj, -(bytes as i64));
    lw.load(at, 0)
}

/// The address of instance value `index` in `values`.
fn value_place(lw: &mut Lowering, values: Value, index: Value) -> Value {
    let offset = lw.b.ins().ishl_imm_u(index, 3);
    let item = lw.b.ins().iadd(values, offset);
    lw.b.ins().iadd_imm_s(item, abi::DICT_VALUES_ITEMS as i64)
}

/// The key an entry filled for instances of `tp` holds.
fn type_key(lw: &mut Lowering, tp: Value) -> Value {
    let version = lw.load_u32(tp, abi::TYPE_VERSION_TAG);
    lw.b.ins().bor_imm_u(version, caches::TYPE_KEY_TAG as i64)
}

/// The key an entry filled for the class `cls` itself holds.
fn class_key(lw: &mut Lowering, cls: Value) -> Value {
    let version = lw.load_u32(cls, abi::TYPE_VERSION_TAG);
    lw.b.ins().bor_imm_u(version, caches::CLASS_KEY_TAG as i64)
}

/// The entry of `site` filled for the type of `owner` (branches to `miss`
/// when generated code has none), and the type.
fn guard_type(lw: &mut Lowering, owner: Value, site: Value, miss: Block) -> (Value, Value) {
    let tp = lw.load(owner, abi::OBJECT_TYPE);
    let key = type_key(lw, tp);
    (lw.select_way(site, 8 * attr::TYPE_KEY, key, miss), tp)
}

/// The entry of `site` filled for `owner`, a class of metaclass `type`
/// (branches to `miss` when generated code has none).
fn guard_class(lw: &mut Lowering, owner: Value, site: Value, miss: Block) -> Value {
    let metaclass = lw.load(owner, abi::OBJECT_TYPE);
    let type_type = lw.data_address("PyType_Type");
    let is_class = lw.b.ins().icmp(IntCC::Equal, metaclass, type_type);
    lw.guard(is_class, miss);
    let key = class_key(lw, owner);
    lw.select_way(site, 8 * attr::TYPE_KEY, key, miss)
}

/// The instance value of `owner` at the index `entry` records (branches to
/// `miss` when the instance has no values array; NULL when unset).
fn instance_value(lw: &mut Lowering, owner: Value, entry: Value, miss: Block) -> Value {
    let place = lw.load(entry, 8 * attr::WHERE);
    let values = load_before(lw, owner, abi::VALUES_BEFORE_OBJECT);
    lw.guard(values, miss);
    let item = value_place(lw, values, place);
    lw.load(item, 0)
}

/// LOAD_ATTR at a site the interpreter could not specialise: an attribute
/// of a class (of metaclass `type`), or an instance value of one of the
/// types the site met. Branches to `miss` when generated code has no entry.
fn unspecialized_attribute(lw: &mut Lowering, owner: Value, site: Value, miss: Block) -> Value {
    let found = lw.b.create_block();
    let value = lw.b.append_block_param(found, lw.ptr);
    let tp = lw.load(owner, abi::OBJECT_TYPE);
    let type_type = lw.data_address("PyType_Type");
    let is_class = lw.b.ins().icmp(IntCC::Equal, tp, type_type);
    let of_class = lw.b.create_block();
    let of_instance = lw.b.create_block();
    lw.b.ins().brif(is_class, of_class, &[], of_instance, &[]);
    lw.b.switch_to_block(of_class);
    lw.b.seal_block(of_class);
    let key = class_key(lw, owner);
    let entry = lw.select_way(site, 8 * attr::TYPE_KEY, key, miss);
    let class_value = lw.load(entry, 8 * attr::WHERE);
    lw.b.ins().jump(found, &[class_value.into()]);
    lw.b.switch_to_block(of_instance);
    lw.b.seal_block(of_instance);
    let key = type_key(lw, tp);
    let entry = lw.select_way(site, 8 * attr::TYPE_KEY, key, miss);
    let instance_value = instance_value(lw, owner, entry, miss);
    lw.b.ins().jump(found, &[instance_value.into()]);
    lw.b.switch_to_block(found);
    lw.b.seal_block(found);
    value
}

/// LOAD_ATTR of `kind` through the site's entry; releases `owner`.
fn load_attr_cached(lw: &mut Lowering, owner_operand: Operand, name: u32, kind: isize) -> Value {
    let owner = owner_operand.value;
    let site = lw.data_entry();
    let miss = lw.cold_block();
    let value = if kind == caches::ATTR_UNSPECIALIZED {
        unspecialized_attribute(lw, owner, site, miss)
    } else {
        cached_attribute(lw, owner, name, site, kind, miss)
    };
    // An unset instance value or slot: the slow path raises or falls back.
    lw.guard(value, miss);
    lw.incref(value);
    lw.release(owner_operand);
    let value = lw.finish_cached(Some(value), miss, |lw| {
        let owner = lw.own(owner_operand);
        let kind = lw.iconst(kind as i64);
        let name = lw.name(name);
        let value = lw.call("pyjit_load_attr_cached", &[owner, name, site, kind]);
        lw.raise_if_null(value);
        Some(value)
    });
    value.expect("a load has a result")
}

/// The attribute of `owner` a specialised LOAD_ATTR site of `kind` reads
/// through the entry generated code finds (branches to `miss` when there is
/// none, or the instance no longer has it there; NULL when unset).
fn cached_attribute(lw: &mut Lowering, owner: Value, name: u32, site: Value, kind: isize, miss: Block) -> Value {
    let (entry, _) = guard_type(lw, owner, site, miss);
    match kind {
        caches::ATTR_INSTANCE_VALUE => instance_value(lw, owner, entry, miss),
        caches::ATTR_MODULE => module_attribute(lw, owner, entry, miss),
        caches::ATTR_SLOT => {
            let offset = lw.load(entry, 8 * attr::WHERE);
            let item = lw.b.ins().iadd(owner, offset);
            lw.load(item, 0)
        }
        _ => {
            let name = lw.name(name);
            let (_, item) = dict_hint_item(lw, owner, name, entry, miss);
            lw.load(item, abi::UNICODE_ENTRY_VALUE)
        }
    }
}

/// The instance's own dict and its entry for `name` at the position the
/// site's `entry` records (LOAD_ATTR_WITH_HINT, STORE_ATTR_WITH_HINT): the
/// entry at that place of the dict's str-keyed table holds exactly that key
/// object (branches to `miss` when the instance has no dict, or not there).
fn dict_hint_item(lw: &mut Lowering, owner: Value, name: Value, entry: Value, miss: Block) -> (Value, Value) {
    let place = lw.load(entry, 8 * attr::WHERE);
    let dict = load_before(lw, owner, abi::MANAGED_DICT_BEFORE_OBJECT);
    lw.guard(dict, miss);
    let keys = lw.load(dict, abi::DICT_KEYS);
    let count = lw.load(keys, abi::KEYS_NENTRIES);
    let within = lw.b.ins().icmp(IntCC::UnsignedLessThan, place, count);
    lw.guard(within, miss);
    let kind = lw.load_u8(keys, abi::KEYS_KIND);
    let str_keys = lw.b.ins().icmp_imm_s(IntCC::NotEqual, kind, abi::KEYS_KIND_GENERAL as i64);
    lw.guard(str_keys, miss);
    let item = super::str_keys_entry(lw, keys, place);
    let key = lw.load(item, abi::UNICODE_ENTRY_KEY);
    let same = lw.b.ins().icmp(IntCC::Equal, key, name);
    lw.guard(same, miss);
    (dict, item)
}

/// STORE_ATTR_WITH_HINT's store of `value` (consumed) over the value the
/// instance's dict holds under `name` at the hinted entry, after the
/// checks of `dict_hint_item`: the name must be set (a split table's
/// entries hold none), and the dict tracked by the GC unless `value` is of
/// a type without GC support (else the store would have to start tracking
/// it, which the slow path's `PyDict_SetItem` does). The dict takes a new
/// PEP 509 version (`caches::DICT_VERSIONS`).
fn store_at_dict_hint(lw: &mut Lowering, owner: Value, name: Value, value: Value, entry: Value, miss: Block) {
    let (dict, item) = dict_hint_item(lw, owner, name, entry, miss);
    let old = lw.load(item, abi::UNICODE_ENTRY_VALUE);
    lw.guard(old, miss);
    let gc_next = load_before(lw, dict, abi::GC_HEAD_SIZE - abi::GC_HEAD_NEXT);
    let tracked = lw.b.ins().icmp_imm_s(IntCC::NotEqual, gc_next, 0);
    let value_type = lw.load(value, abi::OBJECT_TYPE);
    let flags = lw.load(value_type, abi::TYPE_FLAGS);
    let gc_flag = lw.b.ins().band_imm_u(flags, abi::TPFLAGS_HAVE_GC as i64);
    let untrackable = lw.b.ins().icmp_imm_s(IntCC::Equal, gc_flag, 0);
    let tracking_kept = lw.b.ins().bor(tracked, untrackable);
    lw.guard(tracking_kept, miss);
    lw.store(value, item, abi::UNICODE_ENTRY_VALUE);
    let versions = lw.data_address("pyjit_dict_versions");
    let version = lw.load(versions, 0);
    let version = lw.b.ins().iadd_imm_s(version, 1);
    lw.store(version, versions, 0);
    lw.store(version, dict, abi::DICT_VERSION_TAG);
    lw.decref(old);
}

/// STORE_ATTR of `kind` (an instance value, a slot, or a name in the
/// instance's dict) through the site's entry; releases `owner` and consumes
/// `value`. A frameless variant makes the first two (`Lowering::store_attribute`).
fn store_attr_cached(lw: &mut Lowering, owner_operand: Operand, name: u32, value: Value, kind: isize) {
    let owner = owner_operand.value;
    let site = lw.data_entry();
    let miss = lw.cold_block();
    let (entry, _) = guard_type(lw, owner, site, miss);
    if kind == caches::ATTR_DICT_HINT {
        let name = lw.name(name);
        store_at_dict_hint(lw, owner, name, value, entry, miss);
    } else if kind == caches::ATTR_SLOT {
        let place = lw.load(entry, 8 * attr::WHERE);
        let item = lw.b.ins().iadd(owner, place);
        lw.store_attribute(item, value, None);
    } else {
        let place = lw.load(entry, 8 * attr::WHERE);
        let values = load_before(lw, owner, abi::VALUES_BEFORE_OBJECT);
        lw.guard(values, miss);
        let item = value_place(lw, values, place);
        lw.store_attribute(item, value, Some((values, place)));
    }
    lw.release(owner_operand);
    lw.finish_cached(None, miss, |lw| {
        let owner = lw.own(owner_operand);
        let kind = lw.iconst(kind as i64);
        let name = lw.name(name);
        let status = lw.call("pyjit_store_attr_cached", &[owner, name, value, site, kind]);
        lw.raise_if_negative(status);
        None
    });
}

/// LOAD_METHOD's fast path on a class through the site's `entry`: it ends
/// with [NULL, attribute] on the stack, as LOAD_METHOD_CLASS. Returns the
/// block of the slow path, for `finish_cached`.
fn class_attribute_hit(lw: &mut Lowering, site: Value) -> Block {
    let owner = lw.peek(1);
    let miss = lw.cold_block();
    let entry = guard_class(lw, owner, site, miss);
    let value = lw.load(entry, 8 * attr::WHERE);
    replace_owner_with_attribute(lw, owner, value);
    miss
}

/// Replaces LOAD_METHOD's owner, on top of the stack, with [NULL, `value`]
/// (a new reference to `value`), as the interpreter does for an attribute
/// that is no method of the owner's type.
fn replace_owner_with_attribute(lw: &mut Lowering, owner: Value, value: Value) {
    lw.incref(value);
    let null = lw.iconst(0);
    lw.set_peek(1, null);
    lw.push(value);
    lw.decref(owner);
}

/// The attribute of the module `owner` that `entry` records, if the
/// module's dict still has the entry's version (else branches to `miss`).
fn module_attribute(lw: &mut Lowering, owner: Value, entry: Value, miss: Block) -> Value {
    let dict = lw.load(owner, abi::MODULE_DICT);
    let version = lw.load(dict, abi::DICT_VERSION_TAG);
    let cached_version = lw.load(entry, 8 * attr::WHERE);
    let same = lw.b.ins().icmp(IntCC::Equal, version, cached_version);
    lw.guard(same, miss);
    lw.load(entry, 8 * attr::EXTRA)
}

/// LOAD_METHOD's fast path on a module through the site's entries: it ends
/// with [NULL, attribute] on the stack, as LOAD_METHOD_MODULE. Returns the
/// block of the slow path, for `finish_cached`.
fn module_attribute_hit(lw: &mut Lowering, site: Value) -> Block {
    let owner = lw.peek(1);
    let miss = lw.cold_block();
    let tp = lw.load(owner, abi::OBJECT_TYPE);
    let module_type = lw.data_address("PyModule_Type");
    let is_module = lw.b.ins().icmp(IntCC::Equal, tp, module_type);
    lw.guard(is_module, miss);
    let key = lw.iconst(caches::MODULE_KEY as i64);
    let entry = lw.select_way(site, 8 * attr::TYPE_KEY, key, miss);
    let value = module_attribute(lw, owner, entry, miss);
    replace_owner_with_attribute(lw, owner, value);
    miss
}

/// LOAD_METHOD's fast path through the site's `entry`: it ends with
/// [method, owner] on the stack. At a site the interpreter saw owners with
/// dicts of their own (`dict_name`, the index of the method's name in `co_names`, given), a
/// `METHOD_WITH_DICT` entry applies when the owner's dict lacks the name
/// (`guard_name_absent`). Returns the block of the slow path, for
/// `finish_cached`.
fn load_method_hit(lw: &mut Lowering, site: Value, dict_name: Option<u32>) -> Block {
    let owner = lw.peek(1);
    let miss = lw.cold_block();
    let (entry, tp) = guard_type(lw, owner, site, miss);
    let found = lw.b.create_block();
    let check_instance = lw.b.create_block();
    let kind = lw.load(entry, 8 * attr::KIND);
    if let Some(name) = dict_name {
        let probe = lw.b.create_block();
        let other_kinds = lw.b.create_block();
        let dict_kind = lw.b.ins().icmp_imm_s(IntCC::Equal, kind, caches::METHOD_WITH_DICT as i64);
        lw.b.ins().brif(dict_kind, probe, &[], other_kinds, &[]);
        lw.b.switch_to_block(probe);
        lw.b.seal_block(probe);
        let dict = load_before(lw, owner, abi::MANAGED_DICT_BEFORE_OBJECT);
        lw.guard(dict, miss);
        let name = lw.name(name);
        guard_name_absent(lw, dict, name, miss);
        lw.b.ins().jump(found, &[]);
        lw.b.switch_to_block(other_kinds);
        lw.b.seal_block(other_kinds);
    }
    let no_dict = lw.b.ins().icmp_imm_s(IntCC::Equal, kind, caches::METHOD_NO_DICT as i64);
    lw.b.ins().brif(no_dict, found, &[], check_instance, &[]);
    lw.b.switch_to_block(check_instance);
    lw.b.seal_block(check_instance);
    let dict = load_before(lw, owner, abi::MANAGED_DICT_BEFORE_OBJECT);
    let no_instance_dict = lw.b.ins().icmp_imm_s(IntCC::Equal, dict, 0);
    lw.guard(no_instance_dict, miss);
    let keys = lw.load(tp, abi::HEAPTYPE_CACHED_KEYS);
    let count = lw.load(keys, abi::KEYS_NENTRIES);
    let cached_count = lw.load(entry, 8 * attr::EXTRA);
    let same = lw.b.ins().icmp(IntCC::Equal, count, cached_count);
    lw.b.ins().brif(same, found, &[], miss, &[]);
    lw.b.switch_to_block(found);
    lw.b.seal_block(found);
    let method = lw.load(entry, 8 * attr::WHERE);
    lw.incref(method);
    lw.set_peek(1, method);
    lw.push(owner);
    miss
}

/// Goes on when `dict` is a combined, str-keyed table (with one-byte
/// indices: at most 128 slots) that has no key equal to the str `name`,
/// found by CPython's own probe sequence over its index table; branches to
/// `miss` otherwise, and when a key of the same hash is another object (it
/// may be equal). The probe ends: a table always keeps an empty slot.
fn guard_name_absent(lw: &mut Lowering, dict: Value, name: Value, miss: Block) {
    let values = lw.load(dict, abi::DICT_VALUES);
    let combined = lw.b.ins().icmp_imm_s(IntCC::Equal, values, 0);
    let keys = lw.load(dict, abi::DICT_KEYS);
    let kind = lw.load_u8(keys, abi::KEYS_KIND);
    let str_keys = lw.b.ins().icmp_imm_s(IntCC::Equal, kind, abi::KEYS_KIND_UNICODE as i64);
    let log2_size = lw.load_u8(keys, abi::KEYS_LOG2_SIZE);
    let byte_indices = lw.b.ins().icmp_imm_s(IntCC::UnsignedLessThan, log2_size, 8);
    // An interned name's hash is always computed (-1: not yet).
    let hash = lw.load(name, abi::UNICODE_HASH);
    let hashed = lw.b.ins().icmp_imm_s(IntCC::NotEqual, hash, -1);
    let table = lw.b.ins().band(combined, str_keys);
    let small = lw.b.ins().band(byte_indices, hashed);
    let probeable = lw.b.ins().band(table, small);
    lw.guard(probeable, miss);
    let one = lw.iconst(1);
    let size = lw.b.ins().ishl(one, log2_size);
    let mask = lw.b.ins().iadd_imm_s(size, -1);

    let probe = lw.b.create_block();
    let index = lw.b.append_block_param(probe, lw.ptr);
    let perturb = lw.b.append_block_param(probe, lw.ptr);
    let occupied = lw.b.create_block();
    let other_key = lw.b.create_block();
    let next = lw.b.create_block();
    let absent = lw.b.create_block();
    let first = lw.b.ins().band(hash, mask);
    lw.b.ins().jump(probe, &[BlockArg::Value(first), BlockArg::Value(hash)]);

    lw.b.switch_to_block(probe);
    let slot = lw.b.ins().iadd(keys, index);
    let ix = lw.load_i8(slot, abi::KEYS_INDICES);
    let empty = lw.b.ins().icmp_imm_s(IntCC::Equal, ix, -1);
    let not_empty = lw.b.create_block();
    lw.b.ins().brif(empty, absent, &[], not_empty, &[]);
    lw.b.switch_to_block(not_empty);
    lw.b.seal_block(not_empty);
    let is_entry = lw.b.ins().icmp_imm_s(IntCC::SignedGreaterThanOrEqual, ix, 0);
    lw.b.ins().brif(is_entry, occupied, &[], next, &[]);

    lw.b.switch_to_block(occupied);
    lw.b.seal_block(occupied);
    let item = super::str_keys_entry(lw, keys, ix);
    let key = lw.load(item, abi::UNICODE_ENTRY_KEY);
    let same = lw.b.ins().icmp(IntCC::Equal, key, name);
    lw.b.ins().brif(same, miss, &[], other_key, &[]);
    lw.b.switch_to_block(other_key);
    lw.b.seal_block(other_key);
    let key_hash = lw.load(key, abi::UNICODE_HASH);
    let same_hash = lw.b.ins().icmp(IntCC::Equal, key_hash, hash);
    lw.b.ins().brif(same_hash, miss, &[], next, &[]);

    lw.b.switch_to_block(next);
    lw.b.seal_block(next);
    let perturb = lw.b.ins().ushr_imm_u(perturb, 5);
    let step = lw.b.ins().imul_imm_s(index, 5);
    let step = lw.b.ins().iadd(step, perturb);
    let step = lw.b.ins().iadd_imm_s(step, 1);
    let index = lw.b.ins().band(step, mask);
    lw.b.ins().jump(probe, &[BlockArg::Value(index), BlockArg::Value(perturb)]);
    lw.b.seal_block(probe);

    lw.b.switch_to_block(absent);
    lw.b.seal_block(absent);
}
