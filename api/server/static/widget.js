/*! newsrag chat widget: plain JavaScript, no build step, no dependencies. Apache-2.0.
 *
 * Embed:  <script src="https://HOST/widget.js" data-key="PUBLIC_KEY" defer></script>
 * Options (data- attributes on the script tag): key, api, title, greeting, color, position
 * (right|left), theme (light|dark|auto), placeholder, timeout (seconds), open (true).
 * Docs: docs/widget.md.
 *
 * Privacy: the widget keeps a random visitor secret for this browser (localStorage) and sends it
 * with each request (X-Newsrag-Visitor); the server files the conversation under its hash, so
 * another visitor who learns a conversation's id cannot read or continue it.
 *
 * Safety rule for this file: nothing that comes from the API, the page or the reader is ever
 * parsed as HTML. Text goes in with createTextNode/textContent, links only with http(s) URLs.
 */
(() => {
  "use strict";

  const script = document.currentScript || findOwnScript();
  if (!script) return;
  if (window.NewsragWidget) {
    console.warn("newsrag widget: loaded twice; the second script tag is ignored.");
    return;
  }

  // --- configuration ------------------------------------------------------------------------
  const ds = script.dataset;
  const config = {
    key: (ds.key || "").trim(),
    api: apiBase(ds.api, script.src),
    title: nonEmpty(ds.title, "Ask the archive"),
    greeting: nonEmpty(
      ds.greeting,
      "Hi! Ask me about the news in this archive. Every answer quotes and links its sources.",
    ),
    placeholder: nonEmpty(ds.placeholder, "Ask a question about the news…"),
    color: validColor(ds.color) || "#1f5fbf",
    position: ds.position === "left" ? "left" : "right",
    theme: ["dark", "light"].includes(ds.theme) ? ds.theme : "auto",
    timeoutMs: Math.max(1, Number(ds.timeout) || 60) * 1000,
    startOpen: ds.open === "true",
    maxChars: 2000,
  };
  const STORE_KEY = "newsrag-widget:" + config.api + "|" + config.key;
  const VISITOR_KEY = "newsrag-visitor:" + config.api;
  const MAX_TURNS = 20;
  const lang = document.documentElement.lang || undefined;

  const T = {
    open: "Open the news assistant",
    close: "Close the news assistant",
    reset: "Start a new conversation",
    send: "Send question",
    question: "Your question",
    retry: "Retry",
    retryIn: (s) => `Retry in ${s} s`,
    you: "You",
    assistant: "Assistant",
    retrieving: "Searching the articles…",
    retrievingFor: (q) => `Searching the articles for “${q}”…`,
    answering: (n) => `Reading ${n} passage${n === 1 ? "" : "s"}…`,
    sources: "Sources",
    notFoundLabel: "Not in the articles",
    citation: (n, title) => `Source ${n}: ${title}`,
    openArticle: "Open the article",
    newTab: "(opens in a new tab)",
    noLink: "No link available for this article.",
    quoteMissing: "The quoted sentence could not be located in this passage.",
    footer: "Answers quote news articles. Check the sources.",
    errNetwork: "Can’t reach the news assistant. Check your connection, then retry.",
    errOrigin:
      "The news assistant refused this website: its address is not allowed for this widget key.",
    err401: "The news assistant did not accept this widget’s key (401).",
    err401NoKey: "The news assistant needs a key for this website, and none is configured (401).",
    err403: "This website is not allowed to use the news assistant (403).",
    err413: "That question is too long. Please shorten it.",
    err422: (d) => `The question could not be processed${d ? ": " + d : "."}`,
    err429: (s) =>
      s
        ? `Too many questions in a short time. Please wait ${s} second${s === 1 ? "" : "s"}, then retry.`
        : "Too many questions in a short time. Please wait a moment, then retry.",
    errServer: (s) => `The news assistant ran into a problem (${s}). Please retry.`,
    errStream: (m) => `The news assistant ran into a problem while answering${m ? ": " + m : "."}`,
    errTimeout: "The answer is taking too long. Please retry.",
    errInterrupted: "The connection dropped before the answer was complete.",
    errUnexpected: "The news assistant sent a response this widget does not understand.",
    errReload: "This question was not answered before the page was reloaded.",
    errTooLong: (n) => `Please keep questions under ${n} characters.`,
    rewritten: "Searched for:",
    copy: "Copy the answer",
    copied: "Copied",
    copyFailed: "Could not copy",
    helpful: "Helpful",
    notHelpful: "Not helpful",
    thanks: "Thanks for the feedback.",
    feedbackFailed: "The feedback could not be sent.",
    showPassage: "Show the quoted passage",
  };

  // --- state ----------------------------------------------------------------------------------
  const state = loadState();
  const visitor = visitorSecret();
  let busy = false;
  let activeTurn = null;

  // --- DOM ------------------------------------------------------------------------------------
  const host = document.createElement("newsrag-chat");
  host.style.setProperty("all", "initial", "important");
  host.style.setProperty("display", "block", "important");
  const shadow = host.attachShadow({ mode: "open" });
  applyStyles(shadow, CSS_TEXT());

  const uid = "nr" + Math.random().toString(36).slice(2, 8);
  const id = (name) => `${uid}-${name}`;

  const root = h("div", { class: `root pos-${config.position}` });
  if (config.theme === "dark") root.classList.add("dark");
  if (config.theme === "auto" && window.matchMedia) {
    const mq = window.matchMedia("(prefers-color-scheme: dark)");
    root.classList.toggle("dark", mq.matches);
    mq.addEventListener?.("change", (e) => {
      root.classList.toggle("dark", e.matches);
      applyTheme();
    });
  }

  const bubble = h("button", {
    class: "bubble",
    type: "button",
    "aria-label": T.open,
    "aria-expanded": "false",
    "aria-controls": id("panel"),
  });
  bubble.append(icon("chat"), icon("close"), h("span", { class: "badge", hidden: "" }));

  const titleEl = h("h2", { class: "title", id: id("title") }, config.title);
  const resetBtn = h("button", { class: "icon-btn", type: "button", "aria-label": T.reset, title: T.reset });
  resetBtn.append(icon("reset"));
  const closeBtn = h("button", { class: "icon-btn", type: "button", "aria-label": T.close, title: T.close });
  closeBtn.append(icon("close"));

  const log = h("div", {
    class: "log",
    role: "log",
    "aria-live": "polite",
    "aria-relevant": "additions text",
    "aria-label": "Conversation",
    tabindex: "-1",
  });

  const input = h("textarea", {
    class: "input",
    id: id("q"),
    rows: "1",
    maxlength: String(config.maxChars),
    placeholder: config.placeholder,
    autocomplete: "off",
    enterkeyhint: "send",
  });
  const sendBtn = h("button", { class: "send", type: "submit", "aria-label": T.send, title: T.send });
  sendBtn.append(icon("send"));
  const form = h(
    "form",
    { class: "composer", novalidate: "" },
    h("label", { class: "sr-only", for: id("q") }, T.question),
    input,
    sendBtn,
  );

  const panel = h(
    "div",
    {
      class: "panel",
      id: id("panel"),
      role: "dialog",
      "aria-labelledby": id("title"),
      hidden: "",
    },
    h("div", { class: "header" }, titleEl, h("div", { class: "header-btns" }, resetBtn, closeBtn)),
    log,
    form,
    h("p", { class: "footer" }, T.footer),
  );

  // One popover for all citation markers, outside the panel so nothing clips it.
  const popTitle = h("div", { class: "pop-title", id: id("pop-title") });
  const popMeta = h("div", { class: "pop-meta", id: id("pop-meta") });
  const popPassage = h("blockquote", { class: "pop-passage", id: id("pop-passage") });
  const popLink = h("a", { class: "pop-link", target: "_blank", rel: "noopener noreferrer" });
  const popover = h(
    "div",
    { class: "popover", id: id("pop"), role: "tooltip", hidden: "" },
    popTitle,
    popMeta,
    popPassage,
    popLink,
  );

  root.append(panel, bubble, popover);
  shadow.append(root);
  applyTheme();

  // --- behaviour: panel ------------------------------------------------------------------------
  function openPanel({ focus = true } = {}) {
    panel.hidden = false;
    root.classList.add("is-open");
    bubble.setAttribute("aria-expanded", "true");
    bubble.setAttribute("aria-label", T.close);
    bubble.querySelector(".badge").hidden = true;
    state.open = true;
    saveState();
    scrollToEnd(true);
    if (focus) input.focus();
  }

  function closePanel({ focusBubble = true } = {}) {
    hidePopover();
    panel.hidden = true;
    root.classList.remove("is-open");
    bubble.setAttribute("aria-expanded", "false");
    bubble.setAttribute("aria-label", T.open);
    state.open = false;
    saveState();
    if (focusBubble) bubble.focus();
  }

  bubble.addEventListener("click", () => (panel.hidden ? openPanel() : closePanel()));
  closeBtn.addEventListener("click", () => closePanel());
  resetBtn.addEventListener("click", () => {
    if (activeTurn) activeTurn.abort?.();
    state.conversationId = null;
    state.turns = [];
    saveState();
    renderTranscript();
    input.focus();
  });

  // Below 480 px the panel covers the page: it becomes modal and keeps Tab inside it.
  const narrow = window.matchMedia ? window.matchMedia("(max-width: 480px)") : { matches: false };
  const syncModal = () => panel.setAttribute("aria-modal", narrow.matches ? "true" : "false");
  syncModal();
  narrow.addEventListener?.("change", syncModal);

  shadow.addEventListener("keydown", (e) => {
    if (e.key === "Tab" && narrow.matches && !panel.hidden) {
      const all = [...panel.querySelectorAll("button, a[href], textarea")].filter(
        (el) => !el.disabled && el.getClientRects().length,
      );
      const a = shadow.activeElement;
      if (all.length && e.shiftKey && (a === all[0] || !panel.contains(a))) {
        e.preventDefault();
        all[all.length - 1].focus();
      } else if (all.length && !e.shiftKey && (a === all[all.length - 1] || !panel.contains(a))) {
        e.preventDefault();
        all[0].focus();
      }
      return;
    }
    if (e.key !== "Escape") return;
    if (!popover.hidden) {
      hidePopover();
      e.stopPropagation();
      e.preventDefault();
    } else if (!panel.hidden) {
      closePanel();
      e.stopPropagation();
      e.preventDefault();
    }
  });

  // --- behaviour: composer --------------------------------------------------------------------
  input.addEventListener("keydown", (e) => {
    if (e.key === "Enter" && !e.shiftKey && !e.isComposing) {
      e.preventDefault();
      form.requestSubmit ? form.requestSubmit() : submit();
    }
  });
  input.addEventListener("input", autosize);
  form.addEventListener("submit", (e) => {
    e.preventDefault();
    submit();
  });

  function submit() {
    const question = input.value.trim();
    if (!question || busy) return;
    if (question.length > config.maxChars) {
      input.setCustomValidity(T.errTooLong(config.maxChars));
      input.reportValidity();
      return;
    }
    input.value = "";
    autosize();
    ask(question);
  }

  function autosize() {
    input.style.height = "auto";
    input.style.height = Math.min(input.scrollHeight, 120) + "px";
    input.setCustomValidity("");
  }

  function setBusy(value) {
    busy = value;
    sendBtn.disabled = value;
    root.classList.toggle("is-busy", value);
  }

  // --- asking -----------------------------------------------------------------------------------
  function ask(question) {
    const turn = { question, answer: null };
    state.turns.push(turn);
    while (state.turns.length > MAX_TURNS) state.turns.shift();
    saveState();
    log.append(renderQuestion(question));
    const view = renderPendingAnswer(question);
    log.append(view.el);
    scrollToEnd(true);
    run(turn, view);
  }

  async function run(turn, view) {
    setBusy(true);
    const controller = new AbortController();
    let timedOut = false;
    let timer = null;
    const arm = () => {
      clearTimeout(timer);
      timer = setTimeout(() => {
        timedOut = true;
        controller.abort();
      }, config.timeoutMs);
    };
    activeTurn = { abort: () => controller.abort() };
    arm();
    let done = false;
    try {
      const body = { question: turn.question };
      if (state.conversationId) body.conversation_id = state.conversationId;
      const headers = { "Content-Type": "application/json", Accept: "text/event-stream" };
      if (config.key) headers["X-API-Key"] = config.key;
      if (visitor) headers["X-Newsrag-Visitor"] = visitor;
      const post = async () => {
        try {
          return await fetch(config.api + "v1/ask/stream", {
            method: "POST",
            headers,
            body: JSON.stringify(body),
            signal: controller.signal,
            credentials: "omit",
            mode: "cors",
          });
        } catch (err) {
          if (timedOut) throw widgetError(T.errTimeout);
          if (controller.signal.aborted) return null;
          throw await networkError();
        }
      };
      let res = await post();
      if (res && res.status === 404 && body.conversation_id) {
        // The server no longer knows this conversation (expired, deleted): start a new one.
        state.conversationId = null;
        saveState();
        delete body.conversation_id;
        res = await post();
      }
      if (!res) return; // reset by the reader
      if (!res.ok) throw await httpError(res);
      const type = res.headers.get("Content-Type") || "";
      if (!type.includes("text/event-stream") || !res.body) throw widgetError(T.errUnexpected);
      for await (const ev of sseEvents(res.body, controller.signal, arm)) {
        const data = parseJson(ev.data);
        if (ev.event === "status") onStatus(view, data);
        else if (ev.event === "sentence" || ev.event === "token") onText(view, data, ev.event);
        else if (ev.event === "citations") onCitations(view, data);
        else if (ev.event === "error") throw widgetError(T.errStream(errorText(data)));
        else if (ev.event === "done") {
          onDone(turn, view, data);
          done = true;
          break;
        }
      }
      if (!done) throw widgetError(timedOut ? T.errTimeout : T.errInterrupted);
    } catch (err) {
      if (controller.signal.aborted && !timedOut && !done) return; // reset by the reader
      const e = err && err.widget ? err : widgetError(timedOut ? T.errTimeout : T.errInterrupted);
      if (!err || !err.widget) console.warn("newsrag widget:", err);
      showError(turn, view, e);
    } finally {
      clearTimeout(timer);
      activeTurn = null;
      setBusy(false);
    }
  }

  function onStatus(view, data) {
    if (!data || typeof data !== "object") return;
    if (typeof data.conversation_id === "string" && data.conversation_id) {
      state.conversationId = data.conversation_id;
      saveState();
    }
    if (data.stage === "retrieving") {
      const q = typeof data.standalone_question === "string" ? data.standalone_question : "";
      view.setStatus(q && norm(q) !== norm(view.question) ? T.retrievingFor(q) : T.retrieving);
    } else if (data.stage === "answering") {
      const n = Number(data.passages);
      view.setStatus(Number.isFinite(n) ? T.answering(n) : T.retrieving);
    }
  }

  function onText(view, data, kind) {
    const text = typeof data === "string" ? data : data && typeof data.text === "string" ? data.text : "";
    if (!text) return;
    view.appendText(text, kind === "sentence");
    scrollToEnd();
  }

  function onCitations(view, data) {
    if (Array.isArray(data)) view.setCitations(data);
  }

  function onDone(turn, view, answer) {
    if (!answer || typeof answer !== "object") throw widgetError(T.errUnexpected);
    if (typeof answer.conversation_id === "string" && answer.conversation_id) {
      state.conversationId = answer.conversation_id;
    }
    turn.answer = keepAnswer(answer, state.conversationId);
    saveState();
    view.finish(turn.answer);
    if (panel.hidden) bubble.querySelector(".badge").hidden = false;
    reveal(view.el);
  }

  function showError(turn, view, err) {
    view.fail(err, () => {
      if (busy) return; // one question at a time
      const fresh = renderPendingAnswer(turn.question);
      view.el.replaceWith(fresh.el);
      input.focus();
      run(turn, fresh);
    });
    scrollToEnd(true);
  }

  // --- rendering ----------------------------------------------------------------------------------
  function renderQuestion(text) {
    return h(
      "div",
      { class: "msg user" },
      h("span", { class: "sr-only" }, T.you + ": "),
      h("div", { class: "bubble-text" }, text),
    );
  }

  function renderPendingAnswer(question = "") {
    const el = h("div", { class: "msg bot pending" });
    const statusEl = h(
      "div",
      { class: "status" },
      h("span", { class: "spinner", "aria-hidden": "true" }),
      h("span", { class: "status-text" }, T.retrieving),
    );
    const textEl = h("p", { class: "answer-text" });
    el.append(h("span", { class: "sr-only" }, T.assistant + ": "), statusEl, textEl);
    let citations = new Map();
    let streamed = "";
    let rough = false; // token events may split a marker: re-render from the final answer

    const view = {
      el,
      question,
      setStatus(text) {
        statusEl.querySelector(".status-text").textContent = text;
      },
      appendText(text, isSentence) {
        if (!isSentence) rough = true;
        if (isSentence && streamed && !/\s$/.test(streamed) && !/^\s/.test(text)) {
          textEl.append(" ");
          streamed += " ";
        }
        streamed += text;
        appendWithMarkers(textEl, text);
      },
      setCitations(list) {
        citations = citationMap(list);
        upgradeMarkers(textEl, citations);
      },
      finish(answer) {
        if (rough || norm(streamed) !== norm(answer.answer)) {
          textEl.textContent = "";
          appendWithMarkers(textEl, answer.answer);
        }
        citations = citationMap(answer.citations);
        statusEl.remove();
        el.classList.remove("pending");
        decorateAnswer(el, textEl, answer, citations);
      },
      fail(err, retry) {
        statusEl.remove();
        el.classList.remove("pending");
        el.classList.add("error");
        textEl.remove();
        el.append(errorBox(err, retry));
      },
    };
    return view;
  }

  function renderStoredTurn(turn) {
    const out = [renderQuestion(turn.question)];
    if (turn.answer) {
      const el = h("div", { class: "msg bot" }, h("span", { class: "sr-only" }, T.assistant + ": "));
      const textEl = h("p", { class: "answer-text" });
      el.append(textEl);
      appendWithMarkers(textEl, turn.answer.answer);
      decorateAnswer(el, textEl, turn.answer, citationMap(turn.answer.citations));
      out.push(el);
    } else {
      const view = renderPendingAnswer(turn.question);
      view.fail(widgetError(T.errReload), () => {
        if (busy) return;
        const fresh = renderPendingAnswer(turn.question);
        view.el.replaceWith(fresh.el);
        input.focus();
        run(turn, fresh);
      });
      out.push(view.el);
    }
    return out;
  }

  function decorateAnswer(el, textEl, answer, citations) {
    // A follow-up is answered as rewritten ("and at Timbuktu?" → a whole question): show it,
    // so the reader sees what was actually searched for.
    if (answer.standalone && norm(answer.standalone) !== norm(answer.question)) {
      textEl.after(
        h("p", { class: "rewritten" }, h("span", { class: "rewritten-h" }, T.rewritten + " "), answer.standalone),
      );
    }
    if (answer.status === "not_found") {
      el.classList.add("not-found");
      el.insertBefore(h("div", { class: "label" }, T.notFoundLabel), textEl);
      // The contract says a not_found answer cites nothing: show no markers, no sources.
      for (const m of textEl.querySelectorAll(".cite")) m.replaceWith(m.textContent);
    } else {
      upgradeMarkers(textEl, citations);
      if (citations.size) el.append(sourcesList(citations));
    }
    el.append(answerActions(answer, citations));
  }

  function answerActions(answer, citations) {
    const row = h("div", { class: "actions" });
    const note = h("span", { class: "act-note", role: "status" });
    const copyBtn = h("button", { class: "act copy", type: "button", "aria-label": T.copy, title: T.copy });
    copyBtn.append(icon("copy"));
    copyBtn.addEventListener("click", async () => {
      note.textContent = (await copyText(plainAnswer(answer, citations))) ? T.copied : T.copyFailed;
    });
    row.append(copyBtn);
    if (answer.conversationId && Number.isInteger(answer.turn)) {
      const up = h("button", { class: "act up", type: "button", "aria-label": T.helpful, title: T.helpful }, "👍");
      const down = h(
        "button",
        { class: "act down", type: "button", "aria-label": T.notHelpful, title: T.notHelpful },
        "👎",
      );
      const show = () => {
        up.setAttribute("aria-pressed", String(answer.rating === "up"));
        down.setAttribute("aria-pressed", String(answer.rating === "down"));
      };
      show();
      const vote = async (helpful) => {
        up.disabled = down.disabled = true;
        try {
          await sendFeedback(answer, helpful);
          answer.rating = helpful ? "up" : "down";
          saveState();
          note.textContent = T.thanks;
        } catch (err) {
          console.warn("newsrag widget: feedback", err);
          note.textContent = T.feedbackFailed;
        } finally {
          up.disabled = down.disabled = false;
          show();
        }
      };
      up.addEventListener("click", () => vote(true));
      down.addEventListener("click", () => vote(false));
      row.append(up, down);
    }
    row.append(note);
    return row;
  }

  function plainAnswer(answer, citations) {
    const lines = [answer.answer];
    if (answer.status !== "not_found" && citations.size) {
      lines.push("", T.sources + ":");
      for (const c of citations.values()) {
        const meta = metaLine(c);
        const url = safeUrl(c.url);
        lines.push(`[${c.marker}] ${c.title || "Untitled article"}${meta ? " (" + meta + ")" : ""}${url ? " " + url : ""}`);
      }
    }
    return lines.join("\n");
  }

  async function copyText(text) {
    try {
      await navigator.clipboard.writeText(text);
      return true;
    } catch {
      // No async clipboard (plain http, or permission refused): the old way, inside the shadow root.
      const area = h("textarea", { class: "sr-only", "aria-hidden": "true", tabindex: "-1" });
      area.value = text;
      shadow.append(area);
      area.select();
      let ok = false;
      try {
        ok = document.execCommand("copy");
      } catch {
        ok = false;
      }
      area.remove();
      return ok;
    }
  }

  async function sendFeedback(answer, helpful) {
    const headers = { "Content-Type": "application/json" };
    if (config.key) headers["X-API-Key"] = config.key;
    if (visitor) headers["X-Newsrag-Visitor"] = visitor;
    const res = await fetch(config.api + "v1/feedback", {
      method: "POST",
      headers,
      body: JSON.stringify({ conversation_id: answer.conversationId, turn: answer.turn, helpful }),
      credentials: "omit",
      mode: "cors",
    });
    if (!res.ok) throw new Error(`HTTP ${res.status}`);
  }

  function renderTranscript() {
    hidePopover();
    log.textContent = "";
    log.append(h("div", { class: "msg bot greeting" }, h("p", { class: "answer-text" }, config.greeting)));
    for (const turn of state.turns) log.append(...renderStoredTurn(turn));
  }

  const MARKER = /\[(\d{1,3})\]/g;

  function appendWithMarkers(parent, text) {
    let last = 0;
    for (const m of text.matchAll(MARKER)) {
      if (m.index > last) parent.append(text.slice(last, m.index));
      parent.append(h("span", { class: "cite pending", "data-marker": m[1] }, m[0]));
      last = m.index + m[0].length;
    }
    if (last < text.length) parent.append(text.slice(last));
  }

  function upgradeMarkers(textEl, citations) {
    for (const span of textEl.querySelectorAll(".cite.pending")) {
      const c = citations.get(Number(span.dataset.marker));
      if (!c) continue;
      const url = safeUrl(c.url);
      const label = T.citation(c.marker, c.title || "") + (url ? " " + T.newTab : "");
      const el = url
        ? h("a", { class: "cite", href: url, target: "_blank", rel: "noopener noreferrer" })
        : h("button", { class: "cite", type: "button" });
      el.textContent = String(c.marker);
      el.setAttribute("aria-label", label);
      el.setAttribute("aria-describedby", `${id("pop-title")} ${id("pop-meta")} ${id("pop-passage")}`);
      el.dataset.marker = String(c.marker);
      wireMarker(el, c);
      const hadFocus = shadow.activeElement === span;
      span.replaceWith(el);
      if (hadFocus) el.focus();
    }
  }

  function sourcesList(citations) {
    const list = h("ol", { class: "sources-list" });
    for (const c of citations.values()) {
      const url = safeUrl(c.url);
      const title = c.title || "Untitled article";
      const body = h("div", { class: "src-body" });
      if (url) {
        const link = h("a", { href: url, target: "_blank", rel: "noopener noreferrer" }, title);
        link.append(h("span", { class: "sr-only" }, " " + T.newTab));
        body.append(link, h("div", { class: "src-meta" }, metaLine(c)));
      } else {
        // Nowhere to link to: the title opens the quoted passage right here instead.
        const pid = id("src-" + Math.random().toString(36).slice(2, 8));
        const toggle = h(
          "button",
          { class: "no-link", type: "button", "aria-expanded": "false", "aria-controls": pid, title: T.showPassage },
          title,
        );
        const passage = h("blockquote", { class: "src-passage", id: pid, hidden: "" });
        fillPassage(passage, c);
        toggle.addEventListener("click", () => {
          passage.hidden = !passage.hidden;
          toggle.setAttribute("aria-expanded", String(!passage.hidden));
        });
        body.append(toggle, h("div", { class: "src-meta" }, metaLine(c)), passage);
      }
      list.append(
        h(
          "li",
          { value: String(c.marker) },
          h("span", { class: "src-n", "aria-hidden": "true" }, String(c.marker)),
          body,
        ),
      );
    }
    return h("div", { class: "sources" }, h("div", { class: "sources-h" }, T.sources), list);
  }

  function errorBox(err, retry) {
    const box = h("div", { class: "error-box", role: "alert" }, h("p", {}, err.message));
    const btn = h("button", { class: "retry", type: "button" }, T.retry);
    btn.addEventListener("click", () => {
      if (!btn.disabled) retry();
    });
    box.append(btn);
    if (err.retryAfter > 0) {
      let left = Math.ceil(err.retryAfter);
      btn.disabled = true;
      btn.textContent = T.retryIn(left);
      const tick = setInterval(() => {
        left -= 1;
        if (left <= 0 || !btn.isConnected) {
          clearInterval(tick);
          btn.disabled = false;
          btn.textContent = T.retry;
        } else {
          btn.textContent = T.retryIn(left);
        }
      }, 1000);
    }
    return box;
  }

  // --- citations popover ------------------------------------------------------------------------
  let popFor = null;
  let hideTimer = null;
  let touchFirstTap = null;

  function wireMarker(el, c) {
    el.addEventListener("mouseenter", () => showPopover(el, c));
    el.addEventListener("mouseleave", scheduleHide);
    el.addEventListener("focus", () => showPopover(el, c));
    el.addEventListener("blur", (e) => {
      if (!popover.contains(e.relatedTarget)) scheduleHide();
    });
    el.addEventListener("pointerdown", (e) => {
      touchFirstTap = e.pointerType !== "mouse" && popFor !== el ? el : null;
    });
    el.addEventListener("click", (e) => {
      // Touch has no hover: the first tap shows the passage, the second opens the article.
      if (touchFirstTap === el || el.tagName === "BUTTON") {
        e.preventDefault();
        touchFirstTap = null;
        showPopover(el, c);
      }
    });
  }

  popover.addEventListener("mouseenter", () => clearTimeout(hideTimer));
  popover.addEventListener("mouseleave", scheduleHide);
  popover.addEventListener("focusout", (e) => {
    if (e.relatedTarget !== popFor && !popover.contains(e.relatedTarget)) scheduleHide();
  });
  document.addEventListener("pointerdown", (e) => {
    if (popover.hidden) return;
    const path = e.composedPath();
    if (!path.includes(popover) && !path.includes(popFor)) hidePopover();
  });
  log.addEventListener("scroll", () => popFor && positionPopover(popFor), { passive: true });
  window.addEventListener("resize", () => popFor && positionPopover(popFor));

  function showPopover(el, c) {
    clearTimeout(hideTimer);
    popFor?.classList.remove("active");
    popFor = el;
    el.classList.add("active");
    popTitle.textContent = c.title || "Untitled article";
    popMeta.textContent = metaLine(c);
    fillPassage(popPassage, c);
    const url = safeUrl(c.url);
    if (url) {
      popLink.hidden = false;
      popLink.href = url;
      popLink.textContent = T.openArticle + " ↗";
      popLink.setAttribute("aria-label", `${T.openArticle}: ${c.title || ""} ${T.newTab}`);
    } else {
      popLink.hidden = true;
      popLink.removeAttribute("href");
    }
    popover.hidden = false;
    positionPopover(el);
    const mark = popPassage.querySelector("mark");
    popPassage.scrollTop = 0;
    if (mark && mark.offsetTop + mark.offsetHeight > popPassage.offsetTop + popPassage.clientHeight) {
      popPassage.scrollTop = mark.offsetTop - popPassage.offsetTop - 8;
    }
  }

  /** The passage as text, its quoted sentence in a <mark>. */
  function fillPassage(target, c) {
    target.textContent = "";
    const parts = locateQuote(c);
    if (parts) {
      const [before, quote, after] = parts;
      target.append(clipStart(before), h("mark", {}, quote), clipEnd(after));
    } else {
      if (c.quote) target.append(h("mark", {}, c.quote));
      target.append(h("span", { class: "pop-note" }, " " + T.quoteMissing));
    }
  }

  function positionPopover(el) {
    const r = el.getBoundingClientRect();
    const vw = document.documentElement.clientWidth || window.innerWidth;
    const vh = window.innerHeight;
    const width = Math.min(360, vw - 16);
    popover.style.width = width + "px";
    const ph = popover.offsetHeight;
    const p = panel.getBoundingClientRect();
    const gap = 12;
    // Beside the panel when the page has room, so the answer stays readable; else above/below.
    const besideLeft = config.position === "right" && p.left - gap - width >= 8;
    const besideRight = config.position === "left" && vw - p.right - gap - width >= 8;
    let left;
    let top;
    if (besideLeft || besideRight) {
      left = besideLeft ? p.left - gap - width : p.right + gap;
      top = Math.min(Math.max(8, r.top + r.height / 2 - 40), vh - ph - 8);
    } else {
      left = Math.min(Math.max(8, r.left + r.width / 2 - width / 2), vw - width - 8);
      const above = r.top - ph - 8;
      top = above >= 8 || r.top > vh - r.bottom ? Math.max(8, above) : Math.min(r.bottom + 8, vh - ph - 8);
    }
    popover.style.left = left + "px";
    popover.style.top = Math.max(8, top) + "px";
  }

  function scheduleHide() {
    clearTimeout(hideTimer);
    hideTimer = setTimeout(hidePopover, 250);
  }

  function hidePopover() {
    clearTimeout(hideTimer);
    popover.hidden = true;
    popFor?.classList.remove("active");
    popFor = null;
  }

  function locateQuote(c) {
    const passage = typeof c.passage === "string" ? c.passage : "";
    const quote = typeof c.quote === "string" ? c.quote : "";
    if (!passage) return null;
    // Offsets come from Python: they count code points, not UTF-16 units.
    const cps = Array.from(passage);
    const qs = c.start - c.passage_start;
    const qe = c.end - c.passage_start;
    if (Number.isInteger(qs) && Number.isInteger(qe) && qs >= 0 && qs < qe && qe <= cps.length) {
      const mid = cps.slice(qs, qe).join("");
      if (!quote || norm(mid) === norm(quote)) {
        return [cps.slice(0, qs).join(""), mid, cps.slice(qe).join("")];
      }
    }
    const i = quote ? passage.indexOf(quote) : -1;
    if (i >= 0) return [passage.slice(0, i), quote, passage.slice(i + quote.length)];
    return null;
  }

  function clipStart(text, n = 200) {
    if (text.length <= n) return text;
    const cut = text.slice(-n);
    const sp = cut.indexOf(" ");
    return "… " + (sp >= 0 ? cut.slice(sp + 1) : cut);
  }

  function clipEnd(text, n = 320) {
    if (text.length <= n) return text;
    const cut = text.slice(0, n);
    const sp = cut.lastIndexOf(" ");
    return (sp > 0 ? cut.slice(0, sp) : cut) + " …";
  }

  // --- network -------------------------------------------------------------------------------------
  async function* sseEvents(body, signal, onActivity) {
    const reader = body.getReader();
    const decoder = new TextDecoder();
    let buf = "";
    try {
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        buf += decoder.decode(value, { stream: true });
        buf = buf.replace(/\r\n|\r(?!$)/g, "\n");
        let cut;
        while ((cut = buf.indexOf("\n\n")) !== -1) {
          const block = buf.slice(0, cut);
          buf = buf.slice(cut + 2);
          const ev = parseBlock(block);
          if (ev) {
            onActivity(); // comments (": ping") keep the socket alive but are not progress
            yield ev;
          }
        }
      }
      const tail = parseBlock((buf + decoder.decode()).replace(/\r\n?/g, "\n").trim());
      if (tail) yield tail;
    } finally {
      if (!signal.aborted) reader.cancel().catch(() => {});
    }
  }

  function parseBlock(block) {
    let event = "message";
    const data = [];
    for (const line of block.split("\n")) {
      if (!line || line[0] === ":") continue;
      const colon = line.indexOf(":");
      const field = colon < 0 ? line : line.slice(0, colon);
      let value = colon < 0 ? "" : line.slice(colon + 1);
      if (value[0] === " ") value = value.slice(1);
      if (field === "event") event = value;
      else if (field === "data") data.push(value);
    }
    return data.length ? { event, data: data.join("\n") } : null;
  }

  async function httpError(res) {
    let detail = "";
    try {
      detail = errorText(await res.json());
    } catch {
      /* not JSON */
    }
    const s = res.status;
    if (s === 401) {
      return config.key
        ? ownerHint(T.err401, "check the data-key attribute of the widget's script tag.")
        : ownerHint(T.err401NoKey, "create a widget key (newsrag keys create --scope widget " +
            `--origin ${location.origin}) and set it as data-key on the script tag.`);
    }
    if (s === 403) {
      return ownerHint(
        detail ? `${T.err403} ${detail}` : T.err403,
        `add ${location.origin} to the widget key's origin allowlist.`,
      );
    }
    if (s === 413) return widgetError(T.err413);
    if (s === 422) return widgetError(T.err422(detail));
    if (s === 429) {
      const retryAfter = retryAfterSeconds(res.headers.get("Retry-After"));
      return widgetError(T.err429(retryAfter), retryAfter);
    }
    return widgetError(T.errServer(s));
  }

  async function networkError() {
    // fetch() says "TypeError" both when the server is down and when CORS refuses this origin.
    // A no-cors request tells them apart: it succeeds (opaquely) whenever the server answers.
    try {
      await fetch(config.api + "healthz", { mode: "no-cors", cache: "no-store", credentials: "omit" });
      return ownerHint(T.errOrigin, `add ${location.origin} to the widget key's origin allowlist (and CORS).`);
    } catch {
      return widgetError(T.errNetwork);
    }
  }

  function ownerHint(message, hint) {
    console.warn("newsrag widget: " + message + " Site owner: " + hint);
    return widgetError(message);
  }

  function widgetError(message, retryAfter = 0) {
    return { widget: true, message, retryAfter };
  }

  function errorText(data) {
    if (!data) return "";
    if (typeof data === "string") return data;
    const d = data.detail ?? data.message;
    if (typeof d === "string") return d;
    if (Array.isArray(d)) {
      return d
        .map((x) => (x && typeof x.msg === "string" ? x.msg : ""))
        .filter(Boolean)
        .join("; ");
    }
    return "";
  }

  function retryAfterSeconds(value) {
    if (!value) return 0;
    const n = Number(value);
    if (Number.isFinite(n)) return Math.max(0, Math.ceil(n));
    const when = Date.parse(value);
    return Number.isFinite(when) ? Math.max(0, Math.ceil((when - Date.now()) / 1000)) : 0;
  }

  // --- storage -------------------------------------------------------------------------------------
  function loadState() {
    const fresh = { conversationId: null, turns: [], open: false };
    try {
      const raw = sessionStorage.getItem(STORE_KEY);
      if (!raw) return fresh;
      const s = JSON.parse(raw);
      return {
        conversationId: typeof s.conversationId === "string" ? s.conversationId : null,
        turns: Array.isArray(s.turns)
          ? s.turns.filter((t) => t && typeof t.question === "string").slice(-MAX_TURNS)
          : [],
        open: s.open === true,
      };
    } catch {
      return fresh; // storage blocked (sandboxed iframe, privacy mode) or corrupt
    }
  }

  function saveState() {
    try {
      sessionStorage.setItem(STORE_KEY, JSON.stringify(state));
    } catch {
      /* quota or blocked: the conversation just won't survive a reload */
    }
  }

  function keepAnswer(a, conversationId) {
    const status = a.status === "not_found" ? "not_found" : "answered";
    return {
      answer: typeof a.answer === "string" ? a.answer : "",
      status,
      citations: status === "answered" && Array.isArray(a.citations) ? a.citations.map(keepCitation) : [],
      question: typeof a.question === "string" ? a.question : "",
      standalone: typeof a.standalone_question === "string" ? a.standalone_question : "",
      conversationId: typeof conversationId === "string" ? conversationId : null,
      turn: Number.isInteger(a.turn) ? a.turn : null,
      rating: a.rating === "up" || a.rating === "down" ? a.rating : null,
    };
  }

  function keepCitation(c) {
    const out = {};
    for (const k of ["marker", "article_id", "title", "url", "published", "source", "passage", "quote"]) {
      out[k] = c[k];
    }
    for (const k of ["start", "end", "passage_start", "passage_end"]) out[k] = c[k];
    return out;
  }

  // --- helpers -------------------------------------------------------------------------------------
  function citationMap(list) {
    const map = new Map();
    for (const c of Array.isArray(list) ? list : []) {
      if (c && Number.isInteger(c.marker) && !map.has(c.marker)) map.set(c.marker, c);
    }
    return map;
  }

  function metaLine(c) {
    return [typeof c.source === "string" ? c.source : "", formatDate(c.published)]
      .filter(Boolean)
      .join(" · ");
  }

  function formatDate(value) {
    const m = typeof value === "string" && /^(\d{4})-(\d{2})-(\d{2})/.exec(value);
    if (!m) return "";
    const d = new Date(Date.UTC(+m[1], +m[2] - 1, +m[3]));
    try {
      return new Intl.DateTimeFormat(lang, {
        year: "numeric",
        month: "short",
        day: "numeric",
        timeZone: "UTC",
      }).format(d);
    } catch {
      return m[0];
    }
  }

  function safeUrl(value) {
    if (typeof value !== "string" || !value) return null;
    try {
      const u = new URL(value);
      return u.protocol === "http:" || u.protocol === "https:" ? u.href : null;
    } catch {
      return null;
    }
  }

  function parseJson(text) {
    try {
      return JSON.parse(text);
    } catch {
      return text;
    }
  }

  function norm(s) {
    return String(s || "").replace(/\s+/g, " ").trim();
  }

  function nonEmpty(value, fallback) {
    return typeof value === "string" && value.trim() ? value.trim() : fallback;
  }

  function validColor(value) {
    return value && window.CSS && CSS.supports("color", value) ? value : null;
  }

  function apiBase(explicit, src) {
    let base;
    try {
      base = explicit ? new URL(explicit, document.baseURI) : new URL(".", src);
    } catch {
      base = new URL("/", location.href);
    }
    base.search = "";
    base.hash = "";
    const href = base.href;
    return href.endsWith("/") ? href : href + "/";
  }

  function findOwnScript() {
    const all = document.querySelectorAll("script[src]");
    for (let i = all.length - 1; i >= 0; i--) {
      if (/\/widget\.js(\?|#|$)/.test(all[i].src)) return all[i];
    }
    return null;
  }

  /** A finished answer in view: all of it when it fits, else from its first line. */
  function reveal(el) {
    if (!el.isConnected || panel.hidden) return;
    const lr = log.getBoundingClientRect();
    const er = el.getBoundingClientRect();
    const top = log.scrollTop + (er.top - lr.top) - 8;
    const end = log.scrollTop + (er.bottom - lr.bottom) + 8;
    const target = er.height + 16 <= log.clientHeight ? Math.min(top, Math.max(log.scrollTop, end)) : top;
    log.scrollTop = Math.max(0, target);
  }

  function visitorSecret() {
    // One random secret per browser and API: the server files widget conversations under its
    // hash. Without storage (privacy mode, sandboxed frame) it lasts as long as the page.
    let secret = null;
    try {
      secret = localStorage.getItem(VISITOR_KEY);
    } catch {
      /* blocked */
    }
    if (!secret || !/^[A-Za-z0-9_-]{22,128}$/.test(secret)) {
      const bytes = new Uint8Array(24);
      crypto.getRandomValues(bytes);
      secret = btoa(String.fromCharCode(...bytes)).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
      try {
        localStorage.setItem(VISITOR_KEY, secret);
      } catch {
        /* the conversation just won't survive this page */
      }
    }
    return secret;
  }

  function scrollToEnd(force = false) {
    const nearEnd = log.scrollHeight - log.scrollTop - log.clientHeight < 120;
    if (force || nearEnd) log.scrollTop = log.scrollHeight;
  }

  /** createElement with attributes; children are nodes or strings (always text nodes). */
  function h(tag, attrs = {}, ...children) {
    const el = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs)) el.setAttribute(k, v);
    for (const child of children) el.append(child);
    return el;
  }

  function icon(name) {
    const paths = {
      chat: "M4 4h16a2 2 0 0 1 2 2v10a2 2 0 0 1-2 2H9l-5 4v-4H4a2 2 0 0 1-2-2V6a2 2 0 0 1 2-2zm3 6h2m3 0h2m3 0h0",
      close: "M6 6l12 12M18 6L6 18",
      reset: "M4 12a8 8 0 1 0 2.3-5.7M4 4v4h4",
      send: "M4 12l16-8-6 16-2.5-6.5z",
      copy: "M9 9h11v11H9zM5 15H4V4h11v1",
    };
    const svg = document.createElementNS("http://www.w3.org/2000/svg", "svg");
    svg.setAttribute("viewBox", "0 0 24 24");
    svg.setAttribute("aria-hidden", "true");
    svg.setAttribute("focusable", "false");
    svg.setAttribute("class", "icon icon-" + name);
    const path = document.createElementNS("http://www.w3.org/2000/svg", "path");
    path.setAttribute("d", paths[name]);
    svg.append(path);
    return svg;
  }

  function applyStyles(target, css) {
    // Constructed stylesheets are not blocked by a page's style-src CSP; <style> is the fallback.
    try {
      const sheet = new CSSStyleSheet();
      sheet.replaceSync(css);
      target.adoptedStyleSheets = [sheet];
    } catch {
      const style = document.createElement("style");
      style.textContent = css;
      target.append(style);
    }
  }

  function applyTheme() {
    const rgb = toRgb(config.color);
    const lum = luminance(rgb);
    const onAccent = contrast(lum, 1) >= contrast(lum, 0) ? "#ffffff" : "#111111";
    root.style.setProperty("--nr-accent", config.color);
    root.style.setProperty("--nr-on-accent", onAccent);
    // Links and focus rings need contrast on the panel: too pale (light theme) or too dark
    // (dark theme) a brand colour falls back to a readable blue.
    const dark = root.classList.contains("dark");
    const bg = dark ? luminance([23, 25, 29]) : 1;
    const strong = contrast(lum, bg) >= 4.5 ? config.color : dark ? "#8ab4ff" : "#1d4ed8";
    root.style.setProperty("--nr-strong", strong);
  }

  function toRgb(color) {
    // A canvas normalises any CSS colour to #rrggbb or rgba(), with no element in the page.
    const ctx = document.createElement("canvas").getContext("2d");
    if (!ctx) return [31, 95, 191];
    ctx.fillStyle = "#1f5fbf";
    ctx.fillStyle = color;
    const v = ctx.fillStyle;
    const hex = /^#([0-9a-f]{2})([0-9a-f]{2})([0-9a-f]{2})$/i.exec(v);
    if (hex) return [parseInt(hex[1], 16), parseInt(hex[2], 16), parseInt(hex[3], 16)];
    const m = /rgba?\((\d+),\s*(\d+),\s*(\d+)/.exec(v);
    return m ? [+m[1], +m[2], +m[3]] : [31, 95, 191];
  }

  function luminance([r, g, b]) {
    const f = (v) => {
      v /= 255;
      return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4;
    };
    return 0.2126 * f(r) + 0.7152 * f(g) + 0.0722 * f(b);
  }

  function contrast(a, b) {
    return (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05);
  }

  // --- start ---------------------------------------------------------------------------------------
  function mount() {
    document.body.append(host);
    renderTranscript();
    if (state.open || config.startOpen) openPanel({ focus: false });
  }

  window.NewsragWidget = Object.freeze({
    open: () => openPanel(),
    close: () => closePanel(),
    ask: (question) => {
      if (panel.hidden) openPanel({ focus: false });
      if (typeof question === "string" && question.trim() && !busy) ask(question.trim());
    },
    reset: () => resetBtn.click(),
  });

  if (document.body) mount();
  else document.addEventListener("DOMContentLoaded", mount, { once: true });

  // --- styles --------------------------------------------------------------------------------------
  function CSS_TEXT() {
    return `
:host { all: initial; }
*, *::before, *::after { box-sizing: border-box; }
[hidden] { display: none !important; }
.root {
  --nr-accent: #1f5fbf; --nr-on-accent: #fff; --nr-strong: #1f5fbf;
  --nr-bg: #ffffff; --nr-fg: #1b1d21; --nr-muted: #5b6270; --nr-border: #dde1e7;
  --nr-soft: #f3f5f8; --nr-mark: #fff1a8; --nr-mark-fg: #1b1d21; --nr-error: #b42318;
  --nr-error-bg: #fef3f2; --nr-shadow: 0 12px 40px rgba(16, 24, 40, .22);
  font: 15px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif;
  color: var(--nr-fg);
  -webkit-font-smoothing: antialiased;
}
.root.dark {
  --nr-bg: #17191d; --nr-fg: #eceef1; --nr-muted: #a3aab5; --nr-border: #333840;
  --nr-soft: #23262c; --nr-mark: #6b5a00; --nr-mark-fg: #fff8d6; --nr-error: #ffb4ab;
  --nr-error-bg: #3b1e1b;
}
.sr-only {
  position: absolute; width: 1px; height: 1px; padding: 0; margin: -1px; overflow: hidden;
  clip: rect(0 0 0 0); white-space: nowrap; border: 0;
}
button, textarea, a { font: inherit; color: inherit; }
:focus-visible { outline: 3px solid var(--nr-strong); outline-offset: 2px; }
.bubble {
  position: fixed; bottom: 20px; z-index: 2147483000; width: 58px; height: 58px;
  border: 0; border-radius: 50%; cursor: pointer; display: grid; place-items: center;
  background: var(--nr-accent); color: var(--nr-on-accent); box-shadow: var(--nr-shadow);
  transition: transform .15s ease;
}
.bubble:hover { transform: scale(1.06); }
.bubble:focus-visible { outline-offset: 3px; }
.pos-right .bubble { right: 20px; }
.pos-left .bubble { left: 20px; }
.bubble .icon { width: 28px; height: 28px; }
.bubble .icon-close { display: none; }
.is-open .bubble .icon-chat { display: none; }
.is-open .bubble .icon-close { display: block; }
.badge {
  position: absolute; top: 4px; right: 4px; width: 12px; height: 12px; border-radius: 50%;
  background: #e5484d; border: 2px solid #fff;
}
.icon { width: 20px; height: 20px; fill: none; stroke: currentColor; stroke-width: 2;
  stroke-linecap: round; stroke-linejoin: round; }
.panel {
  position: fixed; bottom: 92px; z-index: 2147483000; width: 390px;
  height: min(640px, calc(100vh - 116px)); display: flex; flex-direction: column;
  background: var(--nr-bg); color: var(--nr-fg); border: 1px solid var(--nr-border);
  border-radius: 16px; box-shadow: var(--nr-shadow); overflow: hidden;
  animation: nr-in .16s ease-out;
}
.pos-right .panel { right: 20px; }
.pos-left .panel { left: 20px; }
@keyframes nr-in { from { opacity: 0; transform: translateY(8px); } to { opacity: 1; transform: none; } }
.header {
  display: flex; align-items: center; gap: 8px; padding: 12px 10px 12px 16px;
  background: var(--nr-accent); color: var(--nr-on-accent);
}
.title { flex: 1; margin: 0; font-size: 16px; font-weight: 650; line-height: 1.3;
  overflow-wrap: anywhere; }
.header-btns { display: flex; gap: 2px; }
.icon-btn {
  width: 36px; height: 36px; display: grid; place-items: center; border: 0; border-radius: 8px;
  background: transparent; color: inherit; cursor: pointer;
}
.icon-btn:hover { background: rgba(127, 127, 127, .22); }
.header :focus-visible { outline-color: currentColor; outline-offset: -3px; }
.log {
  flex: 1; overflow-y: auto; padding: 14px 14px 6px; display: flex; flex-direction: column;
  gap: 12px; overscroll-behavior: contain; scroll-behavior: smooth;
}
.log:focus { outline: none; }
.msg { max-width: 92%; overflow-wrap: anywhere; }
.msg p { margin: 0; }
.msg.user { align-self: flex-end; }
.msg.user .bubble-text {
  background: var(--nr-accent); color: var(--nr-on-accent); padding: 8px 12px;
  border-radius: 14px 14px 4px 14px; white-space: pre-wrap;
}
.msg.bot {
  align-self: flex-start; background: var(--nr-soft); padding: 10px 12px;
  border-radius: 14px 14px 14px 4px;
}
.msg.bot.error { background: var(--nr-error-bg); }
.label {
  display: inline-block; font-size: 12px; font-weight: 650; text-transform: uppercase;
  letter-spacing: .04em; color: var(--nr-muted); margin-bottom: 4px;
}
.status { display: flex; align-items: center; gap: 8px; color: var(--nr-muted); font-size: 14px; }
.status + .answer-text:not(:empty) { margin-top: 6px; }
.spinner {
  width: 14px; height: 14px; border-radius: 50%; flex: none;
  border: 2px solid var(--nr-border); border-top-color: var(--nr-strong);
  animation: nr-spin .8s linear infinite;
}
@keyframes nr-spin { to { transform: rotate(360deg); } }
.cite {
  display: inline-flex; align-items: center; justify-content: center; min-width: 22px;
  height: 20px; padding: 0 5px; margin: 0 1px; vertical-align: 1px; border-radius: 10px;
  font-size: 12px; font-weight: 700; line-height: 1; text-decoration: none; cursor: pointer;
  background: var(--nr-bg); color: var(--nr-strong); border: 1px solid var(--nr-strong);
}
.cite.pending { cursor: default; border-color: var(--nr-border); color: var(--nr-muted); }
a.cite:hover, button.cite:hover, .cite.active { background: var(--nr-strong); color: var(--nr-bg); }
.sources { margin-top: 10px; padding-top: 8px; border-top: 1px solid var(--nr-border); }
.sources-h { font-size: 12px; font-weight: 650; text-transform: uppercase; letter-spacing: .04em;
  color: var(--nr-muted); margin-bottom: 4px; }
.sources-list { list-style: none; margin: 0; padding: 0; display: grid; gap: 6px; }
.sources-list li { display: flex; gap: 8px; align-items: baseline; font-size: 14px; }
.src-n {
  flex: none; min-width: 20px; height: 18px; border-radius: 9px; font-size: 11px; font-weight: 700;
  display: inline-grid; place-items: center; color: var(--nr-strong); border: 1px solid var(--nr-strong);
}
.src-body { min-width: 0; }
.src-body a { color: var(--nr-strong); text-decoration: underline; text-underline-offset: 2px; }
.src-meta { color: var(--nr-muted); font-size: 13px; }
.rewritten { margin: 6px 0 0; font-size: 13px; color: var(--nr-muted); overflow-wrap: anywhere; }
.rewritten-h { font-weight: 650; }
button.no-link {
  border: 0; padding: 0; background: none; cursor: pointer; text-align: left; color: var(--nr-strong);
  text-decoration: underline dotted; text-underline-offset: 2px;
}
.src-passage {
  margin: 6px 0 2px; padding: 0 0 0 10px; border-left: 3px solid var(--nr-border);
  color: var(--nr-muted); font-size: 13.5px; overflow-wrap: anywhere;
}
.src-passage mark { background: var(--nr-mark); color: var(--nr-mark-fg); padding: 1px 2px; border-radius: 3px; }
.actions { display: flex; align-items: center; gap: 4px; margin-top: 8px; }
.act {
  min-width: 30px; height: 28px; display: inline-grid; place-items: center; padding: 0 6px;
  border: 1px solid var(--nr-border); border-radius: 8px; background: var(--nr-bg); cursor: pointer;
  font-size: 14px; line-height: 1;
}
.act .icon { width: 16px; height: 16px; }
.act:hover { border-color: var(--nr-strong); }
.act[aria-pressed="true"] { border-color: var(--nr-strong); background: var(--nr-soft); box-shadow: inset 0 0 0 1px var(--nr-strong); }
.act:disabled { opacity: .6; cursor: progress; }
.act-note { font-size: 12.5px; color: var(--nr-muted); margin-left: 4px; }
.error-box { color: var(--nr-error); }
.error-box p { margin: 0 0 8px; }
.retry {
  border: 1px solid currentColor; background: var(--nr-bg); color: var(--nr-error);
  border-radius: 8px; padding: 5px 14px; cursor: pointer; font-weight: 600;
}
.retry:disabled { opacity: .6; cursor: default; }
.composer {
  display: flex; align-items: flex-end; gap: 8px; padding: 10px 12px 6px;
  border-top: 1px solid var(--nr-border);
}
.input {
  flex: 1; min-width: 0; resize: none; max-height: 120px; padding: 9px 12px;
  border: 1px solid var(--nr-border); border-radius: 12px; background: var(--nr-bg);
  color: var(--nr-fg); line-height: 1.35;
}
.input::placeholder { color: var(--nr-muted); }
.input:focus-visible { outline: 2px solid var(--nr-strong); outline-offset: 0; border-color: transparent; }
.send {
  flex: none; width: 40px; height: 40px; border: 0; border-radius: 12px; cursor: pointer;
  display: grid; place-items: center; background: var(--nr-accent); color: var(--nr-on-accent);
}
.send:disabled { opacity: .45; cursor: progress; }
.footer { margin: 0; padding: 0 12px 8px; font-size: 11.5px; color: var(--nr-muted); text-align: center; }
.popover {
  position: fixed; z-index: 2147483001; max-width: calc(100vw - 16px);
  background: var(--nr-bg); color: var(--nr-fg); border: 1px solid var(--nr-border);
  border-radius: 12px; box-shadow: var(--nr-shadow); padding: 12px 14px; font-size: 14px;
}
.pop-title { font-weight: 650; line-height: 1.3; overflow-wrap: anywhere; }
.pop-meta { color: var(--nr-muted); font-size: 13px; margin: 2px 0 8px; }
.pop-passage {
  margin: 0; padding: 0 0 0 10px; border-left: 3px solid var(--nr-border); color: var(--nr-muted);
  max-height: min(220px, 40vh); overflow-y: auto; overflow-wrap: anywhere;
}
.pop-passage mark {
  background: var(--nr-mark); color: var(--nr-mark-fg); padding: 1px 2px; border-radius: 3px;
}
.pop-note { font-style: italic; }
.pop-link {
  display: inline-block; margin-top: 8px; color: var(--nr-strong); font-weight: 600;
  text-decoration: underline; text-underline-offset: 2px;
}
@media (max-width: 480px) {
  .pos-right .panel, .pos-left .panel {
    inset: 0; width: auto; height: auto; border-radius: 0; border: 0;
  }
  .is-open .bubble { display: none; }
  .msg { max-width: 100%; }
  .log { padding: 12px 10px 6px; }
}
@media (prefers-reduced-motion: reduce) {
  .panel, .bubble { animation: none; transition: none; }
  .spinner { animation: none; border-top-color: var(--nr-border); }
  .log { scroll-behavior: auto; }
}
@media (forced-colors: active) {
  .cite, .src-n, .bubble, .send { border: 1px solid CanvasText; }
}
`;
  }
})();
