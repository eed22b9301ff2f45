package io.llmproxy.kernel.quota;

/** What a quota policy applies to; the tightest of the three applies to a call. */
public enum QuotaScope { TENANT, USER, API_KEY }
