"""The word tables of the built-in corpus: data only, no logic (the grammar is in catalogue.grammar)."""
