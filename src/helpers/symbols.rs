//! The symbols generated code may import, and their addresses in this
//! process. This table is the allow-list: the object loader links nothing
//! else, and cranelift-jit is given exactly these.

use super::{attrs, builders, caches, calls, control, exits, frames, locals, names, operators, suspend};
use crate::abi::ffi as abi_ffi;
use crate::config;
use pyo3::ffi;

macro_rules! symbol_table {
    ($($name:literal => $address:expr,)*) => {
        /// Address of the symbol `name`, if generated code may use it.
        pub fn resolve(name: &str) -> Option<*const u8> {
            match name {
                $($name => Some($address as *const u8),)*
                _ => None,
            }
        }

    };
}

symbol_table! {
    // CPython data and functions called directly.
    "_Py_NoneStruct" => std::ptr::addr_of!(abi_ffi::_Py_NoneStruct),
    "_Py_TrueStruct" => std::ptr::addr_of!(abi_ffi::_Py_TrueStruct),
    "_Py_FalseStruct" => std::ptr::addr_of!(abi_ffi::_Py_FalseStruct),
    "PyList_Type" => std::ptr::addr_of!(ffi::PyList_Type),
    "PyDict_Type" => std::ptr::addr_of!(ffi::PyDict_Type),
    "PyTuple_Type" => std::ptr::addr_of!(ffi::PyTuple_Type),
    "PyUnicode_Type" => std::ptr::addr_of!(ffi::PyUnicode_Type),
    "PyType_Type" => std::ptr::addr_of!(ffi::PyType_Type),
    "PyModule_Type" => std::ptr::addr_of!(ffi::PyModule_Type),
    "PyLong_Type" => std::ptr::addr_of!(ffi::PyLong_Type),
    "PyFunction_Type" => std::ptr::addr_of!(ffi::PyFunction_Type),
    "PyCFunction_Type" => std::ptr::addr_of!(ffi::PyCFunction_Type),
    "PyMethodDescr_Type" => std::ptr::addr_of!(ffi::PyMethodDescr_Type),
    "PyExc_AssertionError" => std::ptr::addr_of!(ffi::PyExc_AssertionError),
    "_Py_Dealloc" => abi_ffi::_Py_Dealloc as unsafe extern "C" fn(_),
    "pyjit_values_add_to_insertion_order" => abi_ffi::pyjit_values_add_to_insertion_order as unsafe extern "C" fn(_, _),
    "PyFloat_Type" => std::ptr::addr_of!(ffi::PyFloat_Type),
    "PyGen_Type" => std::ptr::addr_of!(ffi::PyGen_Type),
    "_Py_tracemalloc_config" => std::ptr::addr_of!(abi_ffi::_Py_tracemalloc_config),
    "PyFloat_FromDouble" => ffi::PyFloat_FromDouble as unsafe extern "C" fn(_) -> _,
    "PyLong_FromLongLong" => ffi::PyLong_FromLongLong as unsafe extern "C" fn(_) -> _,
    "PyObject_Size" => ffi::PyObject_Size as unsafe extern "C" fn(_) -> _,
    "PyObject_IsInstance" => ffi::PyObject_IsInstance as unsafe extern "C" fn(_, _) -> _,
    "PyObject_Str" => ffi::PyObject_Str as unsafe extern "C" fn(_) -> _,
    "PySequence_Tuple" => ffi::PySequence_Tuple as unsafe extern "C" fn(_) -> _,
    "PyIter_Next" => ffi::PyIter_Next as unsafe extern "C" fn(_) -> _,
    "pow" => abi_ffi::pow as unsafe extern "C" fn(_, _) -> _,
    // Leaving compiled code.
    "pyjit_exit_to_interpreter" => exits::exit_to_interpreter as unsafe extern "C" fn(_, _, _, _, _) -> _,
    "pyjit_raise_reported_at" => exits::raise_reported_at as unsafe extern "C" fn(_, _, _, _, _) -> _,
    "pyjit_handle_eval_breaker" => exits::handle_eval_breaker as unsafe extern "C" fn(_) -> _,
    "pyjit_quicken" => crate::abi::quicken as unsafe extern "C" fn(_),
    // Calls of compiled code.
    "pyjit_code_extra_index" => std::ptr::addr_of!(calls::CODE_EXTRA_INDEX),
    "pyjit_optimizations_off" => std::ptr::addr_of!(config::OPTIMIZATIONS_OFF),
    "pyjit_enter_compiled" => frames::enter_compiled as unsafe extern "C" fn(_, _, _, _, _) -> _,
    // Opcode families.
    "pyjit_unbound_local" => locals::unbound_local as unsafe extern "C" fn(_, _, _) -> _,
    "pyjit_unbound_cell" => locals::unbound_cell as unsafe extern "C" fn(_, _, _) -> _,
    "pyjit_make_cell" => locals::make_cell as unsafe extern "C" fn(_, _) -> _,
    "pyjit_load_classderef" => locals::load_classderef as unsafe extern "C" fn(_, _, _) -> _,
    "pyjit_load_name" => names::load_name as unsafe extern "C" fn(_, _, _) -> _,
    "pyjit_store_name" => names::store_name as unsafe extern "C" fn(_, _, _, _) -> _,
    "pyjit_delete_name" => names::delete_name as unsafe extern "C" fn(_, _, _) -> _,
    "pyjit_load_global" => names::load_global as unsafe extern "C" fn(_, _, _) -> _,
    "pyjit_load_global_cached" => caches::load_global as unsafe extern "C" fn(_, _, _, _, _) -> _,
    "pyjit_store_global" => names::store_global as unsafe extern "C" fn(_, _, _) -> _,
    "pyjit_delete_global" => names::delete_global as unsafe extern "C" fn(_, _, _) -> _,
    "pyjit_import_name" => names::import_name as unsafe extern "C" fn(_, _, _, _, _) -> _,
    "pyjit_import_from" => names::import_from as unsafe extern "C" fn(_, _, _) -> _,
    "pyjit_import_star" => names::import_star as unsafe extern "C" fn(_, _, _) -> _,
    "pyjit_setup_annotations" => names::setup_annotations as unsafe extern "C" fn(_, _) -> _,
    "pyjit_load_build_class" => names::load_build_class as unsafe extern "C" fn(_) -> _,
    "pyjit_print_expr" => names::print_expr as unsafe extern "C" fn(_) -> _,
    "pyjit_load_attr" => attrs::load_attr as unsafe extern "C" fn(_, _) -> _,
    "pyjit_load_attr_cached" => caches::load_attr as unsafe extern "C" fn(_, _, _, _) -> _,
    "pyjit_load_method_cached" => caches::load_method as unsafe extern "C" fn(_, _, _) -> _,
    "pyjit_store_attr_cached" => caches::store_attr as unsafe extern "C" fn(_, _, _, _, _) -> _,
    "pyjit_store_in_dict" => caches::store_in_dict as unsafe extern "C" fn(_, _, _) -> _,
    "pyjit_store_attr" => attrs::store_attr as unsafe extern "C" fn(_, _, _) -> _,
    "pyjit_load_method" => attrs::load_method as unsafe extern "C" fn(_, _) -> _,
    "pyjit_binary_op" => operators::binary_op as unsafe extern "C" fn(_, _, _) -> _,
    "pyjit_unary_op" => operators::unary_op as unsafe extern "C" fn(_, _) -> _,
    "pyjit_compare_op" => operators::compare_op as unsafe extern "C" fn(_, _, _, _) -> _,
    "pyjit_contains_op" => operators::contains_op as unsafe extern "C" fn(_, _, _) -> _,
    "pyjit_binary_subscr" => operators::binary_subscr as unsafe extern "C" fn(_, _) -> _,
    "pyjit_store_subscr" => operators::store_subscr as unsafe extern "C" fn(_, _, _) -> _,
    "pyjit_build_slice" => operators::build_slice as unsafe extern "C" fn(_, _, _) -> _,
    "pyjit_build_tuple" => builders::build_tuple as unsafe extern "C" fn(_, _) -> _,
    "pyjit_build_list" => builders::build_list as unsafe extern "C" fn(_, _) -> _,
    "pyjit_build_set" => builders::build_set as unsafe extern "C" fn(_, _) -> _,
    "pyjit_build_string" => builders::build_string as unsafe extern "C" fn(_, _) -> _,
    "pyjit_build_map" => builders::build_map as unsafe extern "C" fn(_, _) -> _,
    "pyjit_build_const_key_map" => builders::build_const_key_map as unsafe extern "C" fn(_, _) -> _,
    "pyjit_list_append" => builders::list_append as unsafe extern "C" fn(_, _) -> _,
    "pyjit_set_add" => builders::set_add as unsafe extern "C" fn(_, _) -> _,
    "pyjit_map_add" => builders::map_add as unsafe extern "C" fn(_, _, _) -> _,
    "pyjit_list_extend" => builders::list_extend as unsafe extern "C" fn(_, _) -> _,
    "pyjit_set_update" => builders::set_update as unsafe extern "C" fn(_, _) -> _,
    "pyjit_dict_update" => builders::dict_update as unsafe extern "C" fn(_, _) -> _,
    "pyjit_dict_merge" => builders::dict_merge as unsafe extern "C" fn(_, _, _, _) -> _,
    "pyjit_list_to_tuple" => builders::list_to_tuple as unsafe extern "C" fn(_) -> _,
    "pyjit_format_value" => builders::format_value as unsafe extern "C" fn(_, _, _) -> _,
    "pyjit_unpack" => builders::unpack as unsafe extern "C" fn(_, _, _, _, _) -> _,
    "pyjit_call" => calls::call as unsafe extern "C" fn(_, _, _, _, _) -> _,
    "pyjit_call_function_ex" => calls::call_function_ex as unsafe extern "C" fn(_, _, _) -> _,
    "pyjit_make_function" => calls::make_function as unsafe extern "C" fn(_, _, _) -> _,
    "pyjit_is_true" => control::is_true as unsafe extern "C" fn(_, _) -> _,
    "pyjit_get_iter" => control::get_iter as unsafe extern "C" fn(_) -> _,
    "pyjit_get_aiter" => control::get_aiter as unsafe extern "C" fn(_) -> _,
    "pyjit_for_iter_ended" => control::for_iter_ended as unsafe extern "C" fn() -> _,
    "pyjit_get_yield_from_iter" => suspend::get_yield_from_iter as unsafe extern "C" fn(_, _) -> _,
    "pyjit_send" => suspend::send as unsafe extern "C" fn(_, _, _) -> _,
    "pyjit_generator_next" => suspend::generator_next as unsafe extern "C" fn(_, _) -> _,
    "pyjit_get_awaitable" => suspend::get_awaitable as unsafe extern "C" fn(_, _) -> _,
    "pyjit_get_anext" => suspend::get_anext as unsafe extern "C" fn(_) -> _,
    "pyjit_ends_async_for" => suspend::ends_async_for as unsafe extern "C" fn(_) -> _,
    "pyjit_async_gen_wrap" => suspend::async_gen_wrap as unsafe extern "C" fn(_) -> _,
    "pyjit_raise" => control::raise as unsafe extern "C" fn(_, _, _) -> _,
    "pyjit_catch" => control::catch as unsafe extern "C" fn(_, _, _, _, _, _, _) -> _,
    "pyjit_push_exc_info" => control::push_exc_info as unsafe extern "C" fn(_, _) -> _,
    "pyjit_pop_except" => control::pop_except as unsafe extern "C" fn(_, _) -> _,
    "pyjit_check_exc_match" => control::check_exc_match as unsafe extern "C" fn(_, _) -> _,
    "pyjit_with_except_start" => control::with_except_start as unsafe extern "C" fn(_, _) -> _,
    "pyjit_reraise" => control::reraise as unsafe extern "C" fn(_, _, _) -> _,
    "pyjit_before_with" => control::before_with as unsafe extern "C" fn(_, _) -> _,
    "pyjit_get_len" => control::get_len as unsafe extern "C" fn(_) -> _,
    "pyjit_match_kind" => control::match_kind as unsafe extern "C" fn(_, _) -> _,
    "pyjit_match_keys" => control::match_keys as unsafe extern "C" fn(_, _, _) -> _,
    "pyjit_match_class" => control::match_class as unsafe extern "C" fn(_, _, _, _, _) -> _,
}
