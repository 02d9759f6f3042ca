"""The YAML forms of the catalogue and of a customer's contracts
(docs/contract-format.md).

- ``reading``: the YAML, values read at key paths, ``ContractFileError``;
- ``catalogue_file``, ``customer_file``, ``contract_entry``: what each file must
  say, checked into plain values, every problem with its key path;
- ``loading``: a checked file applied in one transaction, all or nothing;
- ``dumping``: a customer, or the catalogue, written back in the same form
  (load, dump and load again is a fixed point).

Callers import the public names from here.
"""

from contracts.contract_files.dumping import dump_catalogue, dump_customer
from contracts.contract_files.loading import LoadResult, load_contract_file, load_services
from contracts.contract_files.reading import ContractFileError

__all__ = [
    "ContractFileError",
    "LoadResult",
    "dump_catalogue",
    "dump_customer",
    "load_contract_file",
    "load_services",
]
