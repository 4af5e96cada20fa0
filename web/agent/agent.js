/* 客服工作台: talks to /agent/api/ on the same server. All data is inserted as text, never as HTML. */
(function () {
  "use strict";

  var $ = function (id) { return document.getElementById(id); };
  var tokenInput = $("token");
  // make run prints the desk's address with the token it made: /agent/#token=…
  // (a fragment never reaches a server). Kept for this tab, then taken out of the address bar.
  var fromLink = /(?:^#|&)token=([^&]+)/.exec(window.location.hash);
  if (fromLink) {
    try {
      sessionStorage.setItem("agent-token", decodeURIComponent(fromLink[1]));
    } catch (e) { /* a damaged link: the token field stays empty */ }
    history.replaceState(null, "", window.location.pathname + window.location.search);
  }
  tokenInput.value = sessionStorage.getItem("agent-token") || "";
  tokenInput.addEventListener("change", function () {
    sessionStorage.setItem("agent-token", tokenInput.value);
    refreshAll();
  });

  var REASONS = { requested: "卖家要求人工", not_understood: "机器人两次没听懂（旧会话）" };
  var ANSWERS = { yes: "有", no: "没有", unknown: "不确定" };
  var current = null;

  function el(tag, text, className) {
    var node = document.createElement(tag);
    if (text !== undefined && text !== null) node.textContent = String(text);
    if (className) node.className = className;
    return node;
  }

  function showError(message) {
    var box = $("error");
    box.textContent = message;
    box.hidden = !message;
  }

  function api(method, path, body) {
    var headers = { "Content-Type": "application/json" };
    if (tokenInput.value) headers.Authorization = "Bearer " + tokenInput.value;
    return fetch("/agent/api/" + path, {
      method: method, headers: headers, body: body === undefined ? undefined : JSON.stringify(body)
    }).then(function (response) {
      return response.json().then(function (data) {
        if (!response.ok) throw new Error(data.error || ("HTTP " + response.status));
        showError("");
        return data;
      });
    }).catch(function (error) {
      showError("出错了：" + error.message);
      throw error;
    });
  }

  // ------------------------------------------------------------ suggestions
  $("suggest-form").addEventListener("submit", function (e) {
    e.preventDefault();
    api("POST", "suggest", { text: $("question").value }).then(function (data) {
      var list = $("suggestions");
      list.textContent = "";
      data.suggestions.forEach(function (s) {
        var item = el("li");
        item.appendChild(el("div", s.text));
        item.appendChild(el("div", "主题 " + s.topic + " · 置信度 " + Math.round(s.confidence * 100) + "%", "meta"));
        list.appendChild(item);
      });
      $("suggest-warning").hidden = !data.unsure;
    });
  });

  // ------------------------------------------------------------- shop check
  $("check-form").addEventListener("submit", function (e) {
    e.preventDefault();
    var form = new FormData(e.target);
    var body = {};
    ["dispute", "forced", "covered"].forEach(function (k) { body[k] = JSON.parse(form.get(k)); });
    api("POST", "check", body).then(function (data) {
      var box = $("verdict");
      box.textContent = "";
      box.setAttribute("data-can-exit", String(data.can_exit));
      data.messages.forEach(function (text) { box.appendChild(el("p", text)); });
    });
  });

  // -------------------------------------------------------------- hand-offs
  function loadHandoffs() {
    return api("GET", "handoffs").then(function (data) {
      var list = $("handoffs");
      list.textContent = "";
      if (!data.handoffs.length) list.appendChild(el("li", "暂无等待人工的会话"));
      data.handoffs.forEach(function (h) {
        var item = el("li");
        var open = el("button", h.conversation_id + " · " + (REASONS[h.reason] || h.reason || "") +
          (h.last_message ? " · " + h.last_message : ""));
        open.type = "button";
        open.className = "handoff";
        open.setAttribute("data-id", h.conversation_id);
        open.addEventListener("click", function () { showConversation(h); });
        item.appendChild(open);
        list.appendChild(item);
        if (current && current.conversation_id === h.conversation_id) showConversation(h);
      });
      if (data.total > data.handoffs.length) {
        list.appendChild(el("li", "另有 " + (data.total - data.handoffs.length) + " 个会话在等待（先处理等得最久的）"));
      }
      if (current && !data.handoffs.some(function (h) { return h.conversation_id === current.conversation_id; })) {
        current = null;
        $("conversation").hidden = true;
      }
    });
  }

  function showConversation(h) {
    current = h;
    $("conversation").hidden = false;
    $("conversation-title").textContent = "会话 " + h.conversation_id;
    var facts = Object.keys(h.facts || {}).map(function (k) {
      return ((h.fact_labels || {})[k] || k) + "：" + (ANSWERS[h.facts[k]] || h.facts[k]);
    });
    $("conversation-facts").textContent = facts.length ? "已知情况：" + facts.join("；") : "还没有收集到店铺情况";
    var log = $("transcript");
    log.textContent = "";
    h.transcript.forEach(function (m) {
      log.appendChild(el("div", (m.sender === "user" ? "卖家：" : "助手：") + (m.text || ""), m.sender));
    });
    log.scrollTop = log.scrollHeight;
  }

  $("reply-form").addEventListener("submit", function (e) {
    e.preventDefault();
    if (!current) return;
    api("POST", "handoffs/" + encodeURIComponent(current.conversation_id) + "/reply", { text: $("reply").value })
      .then(function () { $("reply").value = ""; return loadHandoffs(); });
  });

  $("resume").addEventListener("click", function () {
    if (!current) return;
    api("POST", "handoffs/" + encodeURIComponent(current.conversation_id) + "/resume")
      .then(function () { current = null; $("conversation").hidden = true; return refreshAll(); });
  });

  $("refresh").addEventListener("click", function () { refreshAll(); });

  // ------------------------------------------------------------------ stats
  function loadStats() {
    return api("GET", "stats").then(function (s) {
      var figures = $("figures");
      figures.textContent = "";
      [["会话数", s.conversations],
       ["已解决", s.resolved],
       ["解决率", s.resolution_rate === null ? "—" : Math.round(s.resolution_rate * 1000) / 10 + "%"]]
        .forEach(function (pair) {
          figures.appendChild(el("dt", pair[0]));
          figures.appendChild(el("dd", pair[1], "figure"));
        });
      var rows = [["要求人工", s.unresolved_because.asked_for_person],
                  ["点了👎", s.unresolved_because.thumbs_down],
                  ["机器人没答上", s.unresolved_because.no_answer]];
      Object.keys(s.handoffs_by_reason).forEach(function (k) {
        rows.push(["转人工：" + (REASONS[k] || k), s.handoffs_by_reason[k]]);
      });
      var max = Math.max.apply(null, rows.map(function (r) { return r[1]; }).concat([1]));
      var chart = $("chart");
      chart.textContent = "";
      rows.forEach(function (r) {
        var row = el("div", null, "row");
        row.appendChild(el("span", r[0], "label"));
        var bar = el("span", null, "bar-fill");
        bar.style.width = Math.round(160 * r[1] / max) + "px";
        row.appendChild(bar);
        row.appendChild(el("span", r[1]));
        chart.appendChild(row);
      });
      var list = $("unanswered");
      list.textContent = "";
      s.top_unanswered.forEach(function (q) { list.appendChild(el("li", q.text + "（" + q.count + "次）")); });
    });
  }

  // ------------------------------------------------------------------ inbox
  var INBOX_REASONS = { declined: "机器人答不了", none_of_these: "卖家选了「都不是」", thumbs_down: "卖家点了👎",
                        handed_over: "答完后卖家要了人工" };
  var KINDS = [["intent", "现有主题"], ["out_of_scope", "不在范围内"], ["new_answer", "需要新答案"], ["skip", "跳过"]];
  var agentName = $("agent-name");
  agentName.value = localStorage.getItem("agent-name") || "";
  agentName.addEventListener("change", function () { localStorage.setItem("agent-name", agentName.value); });

  function inboxItem(miss, choices) {
    var item = el("li");
    item.setAttribute("data-id", miss.id);
    item.appendChild(el("div", miss.text, "asked"));
    item.appendChild(el("div", (INBOX_REASONS[miss.reason] || miss.reason) + " · 回复：" + (miss.reply.join(" / ") || "（无）"), "reply"));
    item.appendChild(el("div", "机器人猜的：" + (miss.candidates.map(function (c) {
      return c.label + " " + Math.round(c.confidence * 100) + "%";
    }).join("，") || "（无）"), "meta"));
    var form = el("form");
    var kind = el("select");
    kind.setAttribute("aria-label", "标注类型");
    KINDS.forEach(function (k) { var o = el("option", k[1]); o.value = k[0]; kind.appendChild(o); });
    var value = el("select");
    value.setAttribute("aria-label", "主题");
    choices.forEach(function (c) { var o = el("option", c.title + "（" + c.value + "）"); o.value = c.value; value.appendChild(o); });
    var best = miss.candidates.filter(function (c) { return choices.some(function (x) { return x.value === c.label; }); })[0];
    if (best) value.value = best.label;
    var note = el("input");
    note.type = "text";
    note.placeholder = "备注：答案该说什么（需要新答案时必填）";
    note.setAttribute("aria-label", "备注");
    var send = el("button", "提交");
    send.type = "submit";
    kind.addEventListener("change", function () { value.hidden = kind.value !== "intent"; });
    form.appendChild(kind); form.appendChild(value); form.appendChild(note); form.appendChild(send);
    form.addEventListener("submit", function (e) {
      e.preventDefault();
      if (!agentName.value.trim()) { showError("请先填写标注人"); agentName.focus(); return; }
      api("POST", "inbox/" + miss.id + "/label", {
        conversation_id: miss.conversation_id, kind: kind.value,
        value: kind.value === "intent" ? value.value : null, note: note.value || null, agent: agentName.value.trim()
      }).then(function () { item.remove(); return loadInbox(true); });
    });
    item.appendChild(form);
    return item;
  }

  var inboxLoads = 0;

  function loadInbox(force) {
    // The list is not redrawn under an agent who is filling in one of its forms.
    if (!force && $("inbox").contains(document.activeElement)) return Promise.resolve();
    // Only the latest load draws: a refresh sent before a label was stored must not bring its item back.
    var load = ++inboxLoads;
    return api("GET", "inbox").then(function (data) {
      if (load !== inboxLoads) return;
      var list = $("inbox");
      list.textContent = "";
      $("inbox-total").textContent = "（共 " + data.total + " 条）";
      if (!data.items.length) list.appendChild(el("li", "暂无待标注的问题"));
      data.items.forEach(function (miss) { list.appendChild(inboxItem(miss, data.choices)); });
    });
  }

  function refreshAll() {
    return Promise.all([loadHandoffs(), loadStats(), loadInbox()]).catch(function () {});
  }

  refreshAll();
  setInterval(refreshAll, 10000);
})();
