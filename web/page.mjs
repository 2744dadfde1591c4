// The demo page: a prompt, a model, words as they are generated, the time they took.
// It reads ?prompt=&model=&words= (and temperature, top_k, top_p, seed) from its address and generates
// on load when a prompt is given, so a result can be linked; the text lands in #output, one-line
// messages in #notice and #error, and <body data-state> says starting / ready / busy / done / error.

import { Generator, LstmEdgeError, Sampling, contract, detokenize, detokenizePieces } from "./lstm-edge.mjs";

const MODELS = {
  fp32: { url: "models/fashion-lstm.onnx", label: "float32" },
  int8: { url: "models/fashion-lstm.int8.onnx", label: "int8" },
};
const PARAMETERS = ["prompt", "model", "words", "temperature", "top_k", "top_p", "seed"];
const PAINT_EVERY_MS = 30; // let the browser draw the words so far at least this often

const $ = (selector) => document.querySelector(selector);
const form = $("#controls");
const generators = new Map(); // model URL → Promise<Generator>
let firstModel = null; // the load that started onnxruntime-web

/** A wrong value in the form or the address: shown like any other one-line message. */
class InputError extends Error {}

function setState(state) {
  document.body.dataset.state = state;
  $("#generate").disabled = state === "busy";
}

function show(selector, text) {
  const element = $(selector);
  element.textContent = text ?? "";
  element.hidden = !text;
}

function readForm() {
  return Object.fromEntries(PARAMETERS.map((name) => [name, form.elements[name].value]));
}

function fillForm(values) {
  for (const name of PARAMETERS) {
    if (values[name] === null || values[name] === undefined) continue;
    if (name === "model" && !(values.model in MODELS)) {
      // Any other value is a model file's address, relative to the page.
      const select = form.elements.model;
      select.querySelector("option[data-custom]")?.remove();
      select.add(new Option(`file: ${values.model}`, values.model));
      select.options[select.options.length - 1].dataset.custom = "";
    }
    form.elements[name].value = values[name];
  }
}

function options(values) {
  const words = Number(values.words);
  if (!Number.isInteger(words) || words < 1 || words > contract.MAX_WORDS) {
    throw new InputError(`words must be a whole number from 1 to ${contract.MAX_WORDS}, not '${values.words}'`);
  }
  const number = (name, fallback) => {
    if (values[name] === undefined || values[name] === "") return fallback;
    const value = Number(values[name]);
    if (!Number.isFinite(value)) throw new InputError(`${name.replace("_", "-")} must be a number, not '${values[name]}'`);
    return value;
  };
  const seedText = String(values.seed ?? "").trim();
  const seed = seedText === "" ? null : /^\d+$/.test(seedText) ? BigInt(seedText) : seedText; // Sampling says what is wrong
  const sampling = new Sampling({
    temperature: number("temperature", 0),
    topK: number("top_k", 0),
    topP: number("top_p", 1),
    seed,
  });
  return { maxWords: words, sampling };
}

async function generatorFor(model) {
  const url = MODELS[model]?.url ?? model;
  if (!generators.has(url)) {
    const label = MODELS[model]?.label ?? url;
    show("#status", `Loading the ${label} model${firstModel ? "" : " and starting onnxruntime-web"}…`);
    const starting = Generator.load(url, { name: url });
    generators.set(url, starting);
    starting.catch(() => generators.delete(url)); // a failed load is tried again next time
  }
  return generators.get(url);
}

async function generate(values) {
  setState("busy");
  show("#notice");
  show("#error");
  $("#output").textContent = "";
  try {
    const { maxWords, sampling } = options(values);
    const generator = await generatorFor(values.model);
    firstModel ??= generator.model;
    const [prompt] = await generator.prefill([values.prompt]);
    if (!prompt.words.length) {
      show("#notice", values.prompt.trim() ? "The prompt has no words: generated from the start of a description." : "The prompt is empty: generated from the start of a description.");
    } else if (prompt.unknownWords.length) {
      show("#notice", `Unknown words (read as <unk>): ${prompt.unknownWords.join(", ")}`);
    }
    const output = $("#output");
    output.textContent = detokenize(prompt.words);
    const previous = [...prompt.words];
    const words = generator.stream(prompt, { maxWords, sampling });
    let decodeMs = 0;
    let count = 0;
    let painted = performance.now();
    for (;;) {
      const started = performance.now();
      const next = await words.next();
      decodeMs += performance.now() - started;
      if (next.done) break;
      for (const piece of detokenizePieces([next.value], previous)) output.append(piece);
      previous.push(next.value);
      count += 1;
      if (performance.now() - painted > PAINT_EVERY_MS) {
        await new Promise((resolve) => setTimeout(resolve));
        painted = performance.now();
      }
    }
    const stop = count < maxWords ? "stopped at the end of a description" : `reached the ${maxWords}-word budget`;
    const perWord = count ? ` — ${(decodeMs / count).toFixed(2)} ms per word` : "";
    show("#status", `${count} words in ${decodeMs.toFixed(1)} ms${perWord} (${stop}).`);
    show("#model-info", describe(generator.model));
    window.lstmEdgeDemo.last = {
      text: output.textContent,
      words: count,
      decodeMs,
      load: generator.model.timings,
      sincePageOpenedMs: performance.now(), // from the start of navigation: opening a link to the text
    };
    setState("done");
  } catch (error) {
    show("#error", messageOf(error));
    show("#status", "");
    show("#model-info", "");
    setState("error");
  }
}

function describe(model) {
  const { timings, sizeBytes, tokenizer, spec } = model;
  const quantization = JSON.parse(model.metadata.get(contract.KEY_QUANTIZATION) ?? '{"type":"none"}');
  const kind = quantization.type === "none" ? "float32" : quantization.type;
  return (
    `${model.name}: ${(sizeBytes / 1e6).toFixed(2)} MB, ${kind}, vocabulary ${tokenizer.size}, ` +
    `LSTM ${spec.hiddenSizes.join(" → ")}; loaded in ${timings.total.toFixed(0)} ms ` +
    `(file ${timings.read.toFixed(0)} ms, session ${timings.session.toFixed(0)} ms${model === firstModel ? ", onnxruntime-web's start included" : ""}).`
  );
}

function messageOf(error) {
  if (error instanceof LstmEdgeError || error instanceof InputError) return `Error: ${error.message}`;
  return `Error: ${error?.message ?? error} (unexpected; please report it)`;
}

function linkTo(values) {
  const query = new URLSearchParams();
  for (const name of PARAMETERS) {
    const value = values[name];
    const isDefault = { temperature: "0", top_k: "0", top_p: "1", seed: "" }[name] === value;
    if (!isDefault) query.set(name, value);
  }
  history.replaceState(null, "", `?${query}`);
}

window.lstmEdgeDemo = { last: null };
form.addEventListener("submit", (event) => {
  event.preventDefault();
  const values = readForm();
  linkTo(values);
  generate(values);
});

const query = new URLSearchParams(location.search);
fillForm(Object.fromEntries(PARAMETERS.map((name) => [name, query.get(name)])));
if (query.has("prompt")) {
  generate({ ...readForm(), ...Object.fromEntries([...query].filter(([name]) => PARAMETERS.includes(name))) });
} else {
  show("#status", "Type a prompt and press Generate; the model loads on first use.");
  setState("ready");
}
