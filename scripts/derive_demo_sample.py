#!/usr/bin/env python3
"""Derives Triage's demo tickets from Banking77 (CC BY 4.0).

Reads ../shared/data/banking77/train.csv (see its README), takes a deterministic
sample spread over the 77 intents, maps each intent to a Triage category, and
writes crates/triage/demo/tickets.csv. Run from the repository root:

    python3 scripts/derive_demo_sample.py
"""
import csv
import random
import sys

CATEGORY = {
    "cards": ["activate_my_card", "apple_pay_or_google_pay", "card_about_to_expire", "card_acceptance", "card_arrival",
              "card_delivery_estimate", "card_linking", "card_not_working", "card_payment_not_recognised",
              "change_pin", "contactless_not_working", "declined_card_payment", "disposable_card_limits",
              "get_disposable_virtual_card", "get_physical_card", "getting_spare_card", "getting_virtual_card",
              "order_physical_card", "pending_card_payment", "pin_blocked", "reverted_card_payment?",
              "supported_cards_and_currencies", "virtual_card_not_working", "visa_or_mastercard", "card_swallowed"],
    "transfers": ["balance_not_updated_after_bank_transfer", "beneficiary_not_allowed", "cancel_transfer",
                  "declined_transfer", "direct_debit_payment_not_recognised", "failed_transfer", "pending_transfer",
                  "receiving_money", "transfer_into_account", "transfer_not_received_by_recipient", "transfer_timing"],
    "top_up": ["automatic_top_up", "pending_top_up", "top_up_by_cash_or_cheque", "top_up_failed", "top_up_limits",
               "top_up_reverted", "topping_up_by_card", "verify_top_up",
               "balance_not_updated_after_cheque_or_cash_deposit"],
    "cash": ["atm_support", "cash_withdrawal_not_recognised", "declined_cash_withdrawal", "pending_cash_withdrawal",
             "wrong_amount_of_cash_received"],
    "fees_and_exchange": ["card_payment_fee_charged", "card_payment_wrong_exchange_rate", "cash_withdrawal_charge",
                          "exchange_charge", "exchange_rate", "exchange_via_app", "extra_charge_on_statement",
                          "fiat_currency_support", "top_up_by_bank_transfer_charge", "top_up_by_card_charge",
                          "transaction_charged_twice", "transfer_fee_charged", "wrong_exchange_rate_for_cash_withdrawal",
                          "Refund_not_showing_up", "request_refund"],
    "account": ["age_limit", "country_support", "edit_personal_details", "terminate_account", "passcode_forgotten"],
    "security": ["compromised_card", "lost_or_stolen_card", "lost_or_stolen_phone", "unable_to_verify_identity",
                 "verify_my_identity", "verify_source_of_funds", "why_verify_identity"],
}
# Requests that hurt now: money missing or access at risk.
URGENT = {"compromised_card", "lost_or_stolen_card", "lost_or_stolen_phone", "cash_withdrawal_not_recognised",
          "card_payment_not_recognised", "transaction_charged_twice", "direct_debit_payment_not_recognised",
          "card_swallowed", "wrong_amount_of_cash_received"}

def subject_of(text: str) -> str:
    words = text.split()
    s = ""
    for w in words:
        if len(s) + len(w) + 1 > 60:
            return s.rstrip(" ,.?!") + "..."
        s = (s + " " + w).strip()
    return s

def main() -> int:
    intent_cat = {i: c for c, ints in CATEGORY.items() for i in ints}
    rows = list(csv.DictReader(open("../shared/data/banking77/train.csv", encoding="utf-8")))
    by_intent = {}
    for r in rows:
        by_intent.setdefault(r["intent"], []).append(r)
    missing = set(by_intent) - set(intent_cat)
    if missing:
        print("unmapped intents:", missing, file=sys.stderr)
        return 1
    rng = random.Random(77)
    picked = []
    for intent in sorted(by_intent):
        picked += rng.sample(by_intent[intent], 4 if intent in URGENT else 3)
    rng.shuffle(picked)
    picked = picked[:200]
    with open("crates/triage/demo/tickets.csv", "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(["banking77_id", "subject", "body", "category", "impact", "urgency"])
        for r in picked:
            urgent = r["intent"] in URGENT
            impact = "significant" if urgent else ("moderate" if intent_cat[r["intent"]] in ("security", "transfers") else "minor")
            urgency = "critical" if r["intent"] in {"compromised_card", "lost_or_stolen_card"} else ("high" if urgent else rng.choice(["medium", "low"]))
            w.writerow([r["id"], subject_of(r["text"]), r["text"], intent_cat[r["intent"]], impact, urgency])
    print(f"wrote {len(picked)} tickets")
    return 0

if __name__ == "__main__":
    sys.exit(main())
