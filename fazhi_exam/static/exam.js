// 法治学考 exam page: save each answer at once, keep unsent answers in localStorage and resend
// them after a network loss or reload, count down from the server's remaining seconds.
(function () {
  "use strict";
  var root = document.getElementById("exam");
  if (!root) { return; }
  var attemptId = root.dataset.attempt;
  var csrf = root.dataset.csrf;
  var resultUrl = root.dataset.resultUrl;
  var queueKey = "fazhi:attempt:" + attemptId + ":queue";
  var seqKey = "fazhi:attempt:" + attemptId + ":seq";
  var flagKey = "fazhi:attempt:" + attemptId + ":flags";
  var statusEl = document.getElementById("save-status");
  var timerEl = document.getElementById("timer");
  var cards = Array.prototype.slice.call(document.querySelectorAll(".question-card"));
  var remaining = parseInt(root.dataset.remaining, 10);
  var deadlineAt = Date.now() + remaining * 1000;
  var sending = {};
  var finished = false;

  function load(key, fallback) {
    try { var v = localStorage.getItem(key); return v ? JSON.parse(v) : fallback; } catch (e) { return fallback; }
  }
  function store(key, value) {
    try { localStorage.setItem(key, JSON.stringify(value)); } catch (e) { /* private mode: memory only */ }
  }
  var queue = load(queueKey, {});
  var seq = Math.max(parseInt(root.dataset.lastSeq, 10) || 0, load(seqKey, 0));
  var flags = load(flagKey, {});

  function nextSeq() { seq += 1; store(seqKey, seq); return seq; }

  function cardFor(qid) { return document.getElementById("q-" + qid); }

  function readResponse(card) {
    var type = card.dataset.type;
    var qid = card.dataset.qid;
    if (type === "single" || type === "judge") {
      var checked = card.querySelector("input[name='q" + qid + "']:checked");
      if (!checked) { return null; }
      return type === "judge" ? checked.value === "true" : checked.value;
    }
    if (type === "multiple") {
      return Array.prototype.map.call(card.querySelectorAll("input:checked"), function (i) { return i.value; });
    }
    if (type === "fill") {
      return Array.prototype.map.call(card.querySelectorAll("input.blank"), function (i) { return i.value; });
    }
    return card.querySelector("textarea").value;
  }

  function writeResponse(card, response) {
    var type = card.dataset.type;
    if (type === "single" || type === "judge" || type === "multiple") {
      Array.prototype.forEach.call(card.querySelectorAll("input"), function (i) {
        var value = type === "judge" ? i.value === "true" : i.value;
        i.checked = Array.isArray(response) ? response.indexOf(value) >= 0 : response === value;
      });
    } else if (type === "fill") {
      Array.prototype.forEach.call(card.querySelectorAll("input.blank"), function (input, n) {
        input.value = response && response[n] !== undefined ? response[n] : "";
      });
    } else {
      card.querySelector("textarea").value = response || "";
    }
  }

  function answered(card) {
    var r = readResponse(card);
    if (r === null || r === "") { return false; }
    if (Array.isArray(r)) { return r.some(function (x) { return x !== ""; }); }
    return true;
  }

  function setStatus(kind) {
    var texts = { saved: "已保存", saving: "保存中…", offline: "网络中断，答案已暂存本机" };
    var classes = { saved: "text-bg-success", saving: "text-bg-secondary", offline: "text-bg-danger" };
    statusEl.textContent = texts[kind];
    statusEl.className = "badge " + classes[kind];
  }

  function pending() { return Object.keys(queue).length; }

  function refreshCard() {
    cards.forEach(function (card) {
      var cell = document.querySelector(".card-cell[data-target='" + card.dataset.qid + "']");
      if (!cell) { return; }
      cell.classList.toggle("answered", answered(card));
      cell.classList.toggle("flagged", !!flags[card.dataset.qid]);
    });
  }

  function send(qid) {
    var item = queue[qid];
    if (!item || sending[qid] || finished) { return Promise.resolve(); }
    sending[qid] = true;
    setStatus("saving");
    return fetch("/api/v1/attempts/" + attemptId + "/answers/" + qid, {
      method: "PUT", credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRFToken": csrf },
      body: JSON.stringify({ response: item.response, seq: item.seq })
    }).then(function (res) {
      sending[qid] = false;
      return res.json().catch(function () { return {}; }).then(function (body) {
        if (res.ok || (res.status === 409 && body.error === "stale_seq")) {
          if (queue[qid] && queue[qid].seq === item.seq) { delete queue[qid]; store(queueKey, queue); }
          if (res.ok && typeof body.remaining_seconds === "number") { syncTimer(body.remaining_seconds); }
          if (pending() === 0) { setStatus("saved"); } else { send(Object.keys(queue)[0]); }
        } else if (res.status === 409 || res.status === 404) {
          finished = true;  // time is up or the paper was handed in elsewhere
          store(queueKey, {});
          window.location.href = resultUrl;
        } else if (res.status === 401) {
          setStatus("offline");
          statusEl.textContent = "登录已失效，答案已暂存本机，请重新登录";
        } else {
          setStatus("offline");
        }
      });
    }).catch(function () {
      sending[qid] = false;
      setStatus("offline");
    });
  }

  function flush() {
    return Promise.all(Object.keys(queue).map(send));
  }

  var sendTimers = {};
  function changed(card, delay) {
    // Kept in localStorage at once, so a reload a moment after typing loses nothing;
    // typing is sent once the learner pauses, a click at once.
    var qid = card.dataset.qid;
    queue[qid] = { response: readResponse(card), seq: nextSeq() };
    store(queueKey, queue);
    refreshCard();
    clearTimeout(sendTimers[qid]);
    sendTimers[qid] = setTimeout(function () { send(qid); }, delay);
  }

  // Answers not yet acknowledged before a reload or on this device win over the page's copy.
  Object.keys(queue).forEach(function (qid) {
    var card = cardFor(qid);
    if (card) { writeResponse(card, queue[qid].response); } else { delete queue[qid]; }
  });
  if (pending()) { setStatus("offline"); flush(); }

  // A save sent just before a reload may commit after this page was rendered: ask the server once
  // more and show any newer saved answer that this device is not about to resend.
  fetch("/api/v1/exams/" + root.dataset.exam + "/attempts", {
    method: "POST", credentials: "same-origin", headers: { "X-CSRFToken": csrf }
  }).then(function (res) { return res.ok ? res.json() : null; }).then(function (data) {
    if (!data || !data.answers) { return; }
    Object.keys(data.answers).forEach(function (qid) {
      var card = cardFor(qid);
      var saved = data.answers[qid];
      if (card && !queue[qid] && saved.seq > parseInt(card.dataset.seq, 10)) {
        writeResponse(card, saved.response);
        card.dataset.seq = String(saved.seq);
      }
    });
    seq = Math.max(seq, data.last_seq || 0);
    refreshCard();
  }).catch(function () { /* offline: the page's own copy stands */ });

  cards.forEach(function (card) {
    var events = card.dataset.type === "fill" || card.dataset.type === "essay" ? ["input", "change"] : ["change"];
    events.forEach(function (name) {
      card.addEventListener(name, function (event) {
        if (!event.target.matches("input, textarea")) { return; }
        changed(card, name === "input" ? 800 : 0);
      });
    });
    var speak = card.querySelector(".speak");
    if (speak) {
      speak.addEventListener("click", function () {
        if (!window.speechSynthesis) { return; }
        var text = card.querySelector(".stem-text").textContent + "。" +
          Array.prototype.map.call(card.querySelectorAll(".option-text"), function (o) { return o.textContent; }).join("。");
        window.speechSynthesis.cancel();
        var utterance = new SpeechSynthesisUtterance(text);
        utterance.lang = "zh-CN";
        utterance.rate = 0.9;
        window.speechSynthesis.speak(utterance);
      });
    }
    var flag = card.querySelector(".flag");
    if (flag) {
      flag.setAttribute("aria-pressed", flags[card.dataset.qid] ? "true" : "false");
      flag.addEventListener("click", function () {
        flags[card.dataset.qid] = !flags[card.dataset.qid];
        flag.setAttribute("aria-pressed", flags[card.dataset.qid] ? "true" : "false");
        store(flagKey, flags);
        refreshCard();
      });
    }
  });

  document.getElementById("paper").addEventListener("submit", function (e) { e.preventDefault(); });
  window.addEventListener("online", flush);
  setInterval(function () { if (pending()) { flush(); } }, 5000);

  // The clock: the server's remaining seconds, re-synced on every save.
  function syncTimer(seconds) { deadlineAt = Date.now() + seconds * 1000; }
  function tick() {
    var left = Math.max(0, Math.round((deadlineAt - Date.now()) / 1000));
    var m = Math.floor(left / 60), s = left % 60;
    timerEl.textContent = (m < 10 ? "0" : "") + m + ":" + (s < 10 ? "0" : "") + s;
    document.getElementById("warning").classList.toggle("d-none", left > 300 || left === 0);
    if (left === 0 && !finished) {
      finished = true;
      flush().then(function () { return submit(); });
    }
  }
  setInterval(tick, 1000);
  tick();

  function submit() {
    return fetch("/api/v1/attempts/" + attemptId + "/submit", {
      method: "POST", credentials: "same-origin", headers: { "X-CSRFToken": csrf }
    }).then(function (res) {
      if (res.ok || res.status === 409) {
        store(queueKey, {});
        window.location.href = resultUrl;
      } else {
        finished = false;
        setStatus("offline");
      }
    }).catch(function () { finished = false; setStatus("offline"); });
  }

  document.getElementById("submit-button").addEventListener("click", function () {
    var missing = cards.filter(function (c) { return !answered(c); }).map(function (c) { return c.dataset.number; });
    var message = missing.length ? "还有 " + missing.length + " 道题未作答（第 " + missing.join("、") + " 题）。确定交卷吗？"
      : "确定交卷吗？交卷后不能再修改。";
    if (!window.confirm(message)) { return; }
    flush().then(function () {
      if (pending()) {
        window.alert("网络中断，还有答案没有保存。请等网络恢复后再交卷。");
        return;
      }
      finished = true;
      submit();
    });
  });

  // 答题卡 and one question per screen
  var current = 0;
  var onePerScreen = false;
  function show(index) {
    current = Math.max(0, Math.min(cards.length - 1, index));
    cards.forEach(function (card, i) { card.hidden = onePerScreen && i !== current; });
    document.getElementById("pager-buttons").hidden = !onePerScreen;
  }
  document.getElementById("mode-toggle").addEventListener("click", function () {
    onePerScreen = !onePerScreen;
    this.textContent = onePerScreen ? "全部显示" : "一题一页";
    show(current);
  });
  document.getElementById("prev").addEventListener("click", function () { show(current - 1); });
  document.getElementById("next").addEventListener("click", function () { show(current + 1); });
  document.getElementById("card-toggle").addEventListener("click", function () {
    var box = document.getElementById("answer-card");
    box.classList.toggle("d-none");
    this.setAttribute("aria-expanded", box.classList.contains("d-none") ? "false" : "true");
  });
  // The sticky bar (timer, answer card) must never cover the question jumped to: the card closes, and
  // the question's top is put just below the bar, whatever the bar's height on this screen.
  var bar = document.querySelector(".exam-bar");
  function barHeight() { return bar ? bar.getBoundingClientRect().height : 0; }
  function keepBelowBar() { document.documentElement.style.setProperty("--exam-bar-height", barHeight() + "px"); }
  window.addEventListener("resize", keepBelowBar);
  keepBelowBar();
  Array.prototype.forEach.call(document.querySelectorAll(".card-cell"), function (cell) {
    cell.addEventListener("click", function () {
      var index = cards.indexOf(cardFor(cell.dataset.target));
      var box = document.getElementById("answer-card");
      box.classList.add("d-none");
      document.getElementById("card-toggle").setAttribute("aria-expanded", "false");
      show(index);
      keepBelowBar();
      var top = cards[index].getBoundingClientRect().top + window.pageYOffset - barHeight() - 8;
      window.scrollTo({ top: Math.max(top, 0), behavior: "instant" });  // not smooth: the page may be long
    });
  });
  refreshCard();

  // Leaving the page is counted (the trainer sees it); the exam may set a limit.
  document.addEventListener("visibilitychange", function () {
    if (document.visibilityState !== "hidden" || finished) { return; }
    fetch("/api/v1/attempts/" + attemptId + "/events", {
      method: "POST", credentials: "same-origin", keepalive: true,
      headers: { "Content-Type": "application/json", "X-CSRFToken": csrf },
      body: JSON.stringify({ type: "leave" })
    }).catch(function () { /* counted next time the network allows */ });
  });
})();
