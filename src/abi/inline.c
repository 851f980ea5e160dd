/* CPython 3.11's static inline functions that pyjit calls, compiled from the
   interpreter's own headers (so their logic is the headers', not a copy). */

#define Py_BUILD_CORE 1
#include <Python.h>
#include "internal/pycore_dict.h"

/* Records that the instance value at `index` of `values` was set, for the
   attribute order of the dict the values may later become. */
void pyjit_values_add_to_insertion_order(PyDictValues *values, Py_ssize_t index)
{
    _PyDictValues_AddToInsertionOrder(values, index);
}
