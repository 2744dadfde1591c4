// The error family of runtime/errors.py: library code throws these; the page shows their one-line message.

/** Base class of every error lstm-edge reports to a user. */
export class LstmEdgeError extends Error {
  constructor(message) {
    super(message);
    this.name = new.target.name;
  }
}

/** A model file that is missing, unreadable, foreign or inconsistent. The message names the file. */
export class ModelFileError extends LstmEdgeError {}

/** The tokenizer in a model file does not fit the width of its logits. */
export class VocabularyMismatch extends ModelFileError {}

/** Options of a generation call that cannot be used (budget, sampling). */
export class GenerationError extends LstmEdgeError {}

/** A tokenizer JSON document that cannot be used (runtime/tokenizer.py's TokenizerError). */
export class TokenizerError extends LstmEdgeError {}
