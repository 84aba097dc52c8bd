// Signup form: live slug availability, validation before sending, and the redirect to checkout.
// The server validates everything again; this only saves the customer a round trip.

const form = document.getElementById("signup");
const slugInput = document.getElementById("slug");
const slugStatus = document.getElementById("slug-status");
const emailInput = document.getElementById("email");
const emailError = document.getElementById("email-error");
const formError = document.getElementById("form-error");
const submit = document.getElementById("submit");

const slugPattern = new RegExp(form.dataset.slugPattern);
const hostSuffix = form.dataset.hostSuffix;
// Stricter than `type=email` alone, which accepts addresses without a domain dot.
const emailPattern = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

/** The last slug whose availability the server answered, and that answer. */
let checked = { slug: "", available: false, reason: "" };
let checkTimer;
let checkController;

function normalizedSlug() {
  return slugInput.value.trim().toLowerCase();
}

function showSlug(state, message) {
  slugStatus.className = `field-status ${state}`;
  slugStatus.textContent = message;
  slugInput.setAttribute("aria-invalid", state === "bad" ? "true" : "false");
}

function showEmail(message) {
  emailError.textContent = message;
  emailInput.setAttribute("aria-invalid", message ? "true" : "false");
}

/** Why a slug cannot be sent, judged locally; null when only the server can tell. */
function localSlugProblem(slug) {
  if (!slugPattern.test(slug)) return form.dataset.slugRules;
  if (slug.includes("--")) return form.dataset.slugDoubleHyphen;
  return null;
}

function emailProblem(email) {
  if (email === "") return "Enter your email address.";
  if (!emailPattern.test(email) || emailInput.validity.typeMismatch) {
    return "Enter an email address like name@example.com.";
  }
  return null;
}

async function checkSlug(slug) {
  checkController?.abort();
  checkController = new AbortController();
  showSlug("checking", "Checking availability…");
  try {
    const response = await fetch(`/api/slugs/${encodeURIComponent(slug)}`, {
      signal: checkController.signal,
    });
    const answer = await response.json();
    if (!response.ok) throw new Error(answer?.error?.message ?? `HTTP ${response.status}`);
    checked = { slug, available: answer.available, reason: answer.reason ?? "This name is not available." };
    if (normalizedSlug() !== slug) return;
    if (answer.available) showSlug("ok", `✓ ${slug}${hostSuffix} is available.`);
    else showSlug("bad", checked.reason);
  } catch (error) {
    if (error.name === "AbortError") return;
    showSlug("checking", "Could not check availability right now; it is checked again when you continue.");
  }
}

slugInput.addEventListener("input", () => {
  clearTimeout(checkTimer);
  const slug = normalizedSlug();
  if (slug === "") {
    showSlug("", "");
    return;
  }
  // Shape problems are shown at once, without asking the server; only short names wait for more typing.
  const problem = localSlugProblem(slug);
  if (problem) {
    checkController?.abort();
    if (slug.length >= 3) showSlug("bad", problem);
    else showSlug("", "");
    return;
  }
  checkTimer = setTimeout(() => checkSlug(slug), 250);
});

slugInput.addEventListener("blur", () => {
  const slug = normalizedSlug();
  const problem = slug && localSlugProblem(slug);
  if (problem) showSlug("bad", problem);
});

emailInput.addEventListener("input", () => {
  if (emailInput.getAttribute("aria-invalid") === "true" && !emailProblem(emailInput.value.trim()))
    showEmail("");
});

emailInput.addEventListener("blur", () => {
  const email = emailInput.value.trim();
  if (email !== "") showEmail(emailProblem(email) ?? "");
});

function setBusy(busy) {
  submit.disabled = busy;
  submit.textContent = busy ? "Reserving your address…" : "Continue to payment";
}

/** Where each server error code belongs on the form. */
function showServerError(error) {
  const message = error?.message ?? "Something went wrong. Please try again.";
  switch (error?.code) {
    case "slug_taken":
    case "slug_malformed":
    case "slug_reserved":
      checked = { slug: normalizedSlug(), available: false, reason: message };
      showSlug("bad", message);
      slugInput.focus();
      return;
    case "invalid_email":
      showEmail(message);
      emailInput.focus();
      return;
    default:
      formError.textContent = message;
  }
}

form.addEventListener("submit", async (event) => {
  event.preventDefault();
  formError.textContent = "";
  const slug = normalizedSlug();
  const email = emailInput.value.trim();
  const tier = new FormData(form).get("tier");

  const slugMessage =
    slug === ""
      ? "Choose a name for your site."
      : (localSlugProblem(slug) ?? (checked.slug === slug && !checked.available ? checked.reason : null));
  const emailMessage = emailProblem(email);
  if (slugMessage) showSlug("bad", slugMessage);
  showEmail(emailMessage ?? "");
  if (!tier) formError.textContent = "Choose a plan.";
  if (slugMessage) return slugInput.focus();
  if (emailMessage) return emailInput.focus();
  if (!tier) return;

  setBusy(true);
  try {
    const response = await fetch("/api/signup", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ email, slug, tier }),
    });
    const answer = await response.json().catch(() => null);
    if (response.status === 201 && answer?.checkoutUrl) {
      window.location.assign(answer.checkoutUrl);
      return;
    }
    showServerError(answer?.error);
  } catch {
    formError.textContent = "We could not reach WebSplat. Check your connection and try again.";
  }
  setBusy(false);
});

// A tier chosen on another page (`/?tier=pro`) is pre-selected by the server; start typing at the name.
if (new URLSearchParams(window.location.search).has("tier")) slugInput.focus();
