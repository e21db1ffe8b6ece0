"""The YAML question bank: read, validate and summarise it; every problem has a file, line and id.

loader.load_bank is the entry; model holds Bank and BankMeta, problems Problem and BankError.
"""
