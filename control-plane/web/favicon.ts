/** The builder's icon (a splat in the brand's indigo): served on the platform host so browsers find one. */
export const FAVICON_SVG = `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 32 32"><rect width="32" height="32" rx="7" fill="#4338ca"/><circle cx="16" cy="16" r="7" fill="#fff"/><circle cx="24" cy="9" r="2.5" fill="#fff"/><circle cx="8" cy="23" r="2" fill="#fff"/></svg>`;
