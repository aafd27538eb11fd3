// The SPARQL editor of the query page: CodeMirror 6 over the page's <textarea id="query">, which stays the form
// field (the page works without this script). Highlighting (SPARQL legacy mode), line numbers, brackets,
// Ctrl+Space completion of prefixes, keywords and the graph's classes and properties (/sparql/vokabular.json),
// the server's error position marked in the editor, Ctrl+Enter to run, and the last queries kept in this browser.
import { autocompletion, closeBrackets, closeBracketsKeymap, completionKeymap } from "@codemirror/autocomplete";
import { defaultKeymap, history, historyKeymap } from "@codemirror/commands";
import { bracketMatching, defaultHighlightStyle, StreamLanguage, syntaxHighlighting } from "@codemirror/language";
import { sparql } from "@codemirror/legacy-modes/mode/sparql";
import { lintGutter, setDiagnostics } from "@codemirror/lint";
import { EditorState, StateField } from "@codemirror/state";
import { Decoration, EditorView, drawSelection, highlightActiveLine, highlightActiveLineGutter, keymap, lineNumbers } from "@codemirror/view";
import { StyleModule } from "style-mod";

// CodeMirror puts its styles into a <style> element, which the site's CSP (style-src 'self') rightly blocks. A
// constructed stylesheet adopted by the document is no inline markup, so CSP allows it: mount the style modules
// there, keeping style-mod's order (later modules take precedence).
const adopted = { sheet: null, modules: [] };
StyleModule.mount = (root, modules) => {
  let j = 0;
  let changed = false;
  for (const mod of Array.isArray(modules) ? modules : [modules]) {
    let index = adopted.modules.indexOf(mod);
    if (index > -1 && index < j) {
      adopted.modules.splice(index, 1);
      changed = true;
      j--;
      index = -1;
    }
    if (index === -1) {
      adopted.modules.splice(j++, 0, mod);
      changed = true;
    } else {
      j = index + 1;
    }
  }
  adopted.sheet = adopted.sheet || new CSSStyleSheet();
  if (changed) adopted.sheet.replaceSync(adopted.modules.map((m) => m.getRules()).join("\n"));
  if (!root.adoptedStyleSheets.includes(adopted.sheet)) root.adoptedStyleSheets = [...root.adoptedStyleSheets, adopted.sheet];
};

const HISTORY_KEY = "kg-sparql-history";
const HISTORY_SIZE = 15;
const KEYWORDS = ("SELECT CONSTRUCT DESCRIBE ASK WHERE FROM DISTINCT REDUCED ORDER BY ASC DESC LIMIT OFFSET GROUP HAVING " +
  "OPTIONAL UNION MINUS FILTER BIND VALUES AS UNDEF GRAPH NOT EXISTS IN COUNT SUM MIN MAX AVG SAMPLE GROUP_CONCAT " +
  "SEPARATOR STR LANG LANGMATCHES DATATYPE BOUND IRI BNODE CONCAT STRLEN UCASE LCASE CONTAINS STRSTARTS STRENDS " +
  "STRBEFORE STRAFTER YEAR MONTH DAY NOW COALESCE IF STRLANG STRDT isIRI isBLANK isLITERAL isNUMERIC REGEX SUBSTR " +
  "REPLACE PREFIX BASE").split(" ");

let vocabulary = null; // {prefixes: {ik: "…"}, terms: [{name, iri, kind, count, label}]}, loaded on first use

function loadVocabulary(url) {
  if (!vocabulary) {
    vocabulary = fetch(url, { headers: { Accept: "application/json" } })
      .then((r) => (r.ok ? r.json() : { prefixes: {}, terms: [] }))
      .catch(() => ({ prefixes: {}, terms: [] }));
  }
  return vocabulary;
}

function completer(url) {
  return async (context) => {
    const word = context.matchBefore(/[A-Za-z_][\w.-]*:[\w-]*|[A-Za-z_][\w-]*/);
    if (!word && !context.explicit) return null;
    const from = word ? word.from : context.pos;
    const typed = word ? word.text : "";
    const vocab = await loadVocabulary(url);
    const terms = vocab.terms.filter((t) => !t.name.startsWith("http"));
    let options;
    if (typed.includes(":")) {
      const prefix = typed.slice(0, typed.indexOf(":") + 1);
      options = terms.filter((t) => t.name.startsWith(prefix)).map((t, i) => termOption(t, i));
    } else {
      options = [
        ...Object.entries(vocab.prefixes).map(([name, iri]) => ({ label: name + ":", type: "namespace", detail: iri, boost: 2 })),
        ...KEYWORDS.map((k) => ({ label: k, type: "keyword" })),
        ...terms.map((t, i) => termOption(t, i)),
      ];
    }
    return { from, options, validFor: /^[\w.:-]*$/ };
  };
}

function termOption(term, rank) {
  const count = term.count ? ` · ${term.count}` : "";
  return {
    label: term.name,
    type: term.kind === "class" ? "class" : "property",
    detail: (term.label || "") + count,
    boost: Math.max(-50, -rank / 10), // most used first among equal matches
  };
}

// A line decoration for the error the server reported, so the line itself stands out (not only the gutter).
function errorLine(lineNumber) {
  return StateField.define({
    create(state) {
      if (lineNumber < 1 || lineNumber > state.doc.lines) return Decoration.none;
      const line = state.doc.line(lineNumber);
      return Decoration.set([Decoration.line({ attributes: { class: "cm-error-line", "data-error-line": String(lineNumber) } }).range(line.from)]);
    },
    update(value, tr) {
      return tr.docChanged ? Decoration.none : value; // once edited, the old position no longer holds
    },
    provide: (field) => EditorView.decorations.from(field),
  });
}

function readHistory() {
  try {
    const stored = JSON.parse(localStorage.getItem(HISTORY_KEY) || "[]");
    return Array.isArray(stored) ? stored.filter((q) => typeof q === "string") : [];
  } catch {
    return [];
  }
}

function remember(query) {
  const text = query.trim();
  if (!text) return;
  try {
    const kept = [text, ...readHistory().filter((q) => q !== text)].slice(0, HISTORY_SIZE);
    localStorage.setItem(HISTORY_KEY, JSON.stringify(kept));
  } catch {
    // storage unavailable (private mode, full): the history is a convenience only
  }
}

function showHistory(container, view) {
  const queries = readHistory();
  if (!container || !queries.length) return;
  const heading = document.createElement("p");
  heading.textContent = container.dataset.title || "";
  const list = document.createElement("ul");
  for (const query of queries) {
    const item = document.createElement("li");
    const button = document.createElement("button");
    button.type = "button";
    button.textContent = query.split("\n").find((l) => l.trim()).slice(0, 90);
    button.title = query;
    button.addEventListener("click", () => {
      view.dispatch({ changes: { from: 0, to: view.state.doc.length, insert: query } });
      view.focus();
    });
    item.append(button);
    list.append(item);
  }
  const details = document.createElement("details");
  const summary = document.createElement("summary");
  summary.textContent = container.dataset.title || "";
  details.append(summary, list);
  container.replaceChildren(details);
  container.hidden = false;
}

function enhance(textarea) {
  const form = textarea.form;
  const label = document.getElementById("query-label");
  const errorAt = Number(textarea.dataset.errorLine || 0);
  const run = () => {
    form.requestSubmit();
    return true;
  };
  const view = new EditorView({
    state: EditorState.create({
      doc: textarea.value,
      extensions: [
        lineNumbers(), highlightActiveLineGutter(), history(), drawSelection(), bracketMatching(), closeBrackets(),
        highlightActiveLine(), StreamLanguage.define(sparql), syntaxHighlighting(defaultHighlightStyle), lintGutter(),
        autocompletion({ override: [completer(textarea.dataset.vocabulary)], activateOnTyping: true }),
        keymap.of([{ key: "Mod-Enter", run }, ...closeBracketsKeymap, ...defaultKeymap, ...historyKeymap, ...completionKeymap]),
        EditorView.contentAttributes.of({ "aria-labelledby": "query-label", spellcheck: "false", autocapitalize: "off" }),
        EditorView.updateListener.of((update) => {
          if (update.docChanged) textarea.value = update.state.doc.toString();
        }),
        errorLine(errorAt),
      ],
    }),
  });
  textarea.hidden = true;
  textarea.required = false; // a hidden required field would block the submit; the server says when it is empty
  textarea.after(view.dom);
  if (label) {
    label.removeAttribute("for");
    label.addEventListener("click", () => view.focus());
  }
  if (errorAt >= 1 && errorAt <= view.state.doc.lines) {
    const line = view.state.doc.line(errorAt);
    const from = Math.min(line.to, line.from + Math.max(0, Number(textarea.dataset.errorColumn || 1) - 1));
    const to = Math.min(line.to, from + 1) > from ? Math.min(line.to, from + 1) : from;
    view.dispatch(setDiagnostics(view.state, [{ from, to, severity: "error", message: textarea.dataset.errorMessage || "" }]));
    view.dispatch({ selection: { anchor: from }, scrollIntoView: true });
  }
  form.addEventListener("submit", () => {
    textarea.value = view.state.doc.toString();
    remember(textarea.value);
  });
  for (const help of document.querySelectorAll(".editor-help")) help.hidden = false;
  showHistory(document.getElementById("query-history"), view);
  window.sparqlEditor = view; // for the browser tests and the console
}

const textarea = document.getElementById("query");
if (textarea && textarea.form) enhance(textarea);
