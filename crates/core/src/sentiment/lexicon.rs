//! The words sentiment is read from, with their strength (-4 very negative to
//! +4 very positive), written for support conversations: what customers say
//! when something is broken, slow, costly or fixed. Hand-made for this product.

/// Words of feeling and their valence: what the customer feels, not what is
/// broken ("declined", "error", "outage" describe the problem; the signals and
/// the policy's escalation words count those).
/// Words and their valence. A plain entry matches the word and its plural
/// (`s`); an entry ending in `*` is a stem and matches any word it begins that
/// is at most four letters longer ("disappoint*": "disappointed",
/// "disappointing", not "great" in "greatest").
pub const VALENCE: &[(&str, f32)] = &[
    // Strongly negative
    ("unacceptable", -3.5),
    ("furious", -3.5),
    ("outrage*", -3.5),
    ("disgust*", -3.5),
    ("scam", -3.5),
    ("terrible", -3.0),
    ("horrible", -3.0),
    ("awful", -3.0),
    ("worst", -3.2),
    ("useless", -3.0),
    ("ridiculous", -3.0),
    ("pathetic", -3.2),
    ("incompetent", -3.2),
    ("angry", -3.0),
    ("livid", -3.5),
    ("nightmare", -3.0),
    ("hate*", -3.0),
    ("shame", -2.5),
    ("appalling", -3.2),
    // Negative
    ("disappoint*", -2.5),
    ("frustrat*", -2.5),
    ("annoy*", -2.0),
    ("upset", -2.2),
    ("unhappy", -2.2),
    ("poor", -1.8),
    ("bad", -2.0),
    ("worse", -2.3),
    ("waiting", -1.0),
    ("confus*", -1.3),
    ("worried", -1.8),
    ("aggravat*", -2.5),
    ("still", -0.8),
    ("concern", -1.2),
    ("complain*", -2.0),
    ("mess", -2.0),
    ("sucks", -3.0),
    ("ignored", -2.5),
    ("nobody", -1.2),
    ("unresolved", -2.0),
    ("sadly", -1.5),
    ("unfortunately", -1.2),
    ("afraid", -1.5),
    ("stress*", -2.0),
    ("damn", -2.5),
    ("enttäusch*", -2.5),
    ("ärger", -2.2),
    ("schlecht", -2.0),
    ("leider", -1.2),
    ("inakzeptabel", -3.5),
    ("unzufrieden", -2.5),
    // Positive
    ("thank*", 1.0),
    ("thx", 1.5),
    ("great", 3.0),
    ("excellent", 3.2),
    ("amazing", 3.2),
    ("awesome", 3.2),
    ("perfect", 3.0),
    ("wonderful", 3.2),
    ("fantastic", 3.2),
    ("love*", 3.0),
    ("happy", 2.7),
    ("glad", 2.3),
    ("pleased", 2.5),
    ("appreciat*", 2.5),
    ("helpful", 2.3),
    ("good", 1.9),
    ("nice", 1.8),
    ("works", 1.2),
    ("working", 0.8),
    ("resolved", 1.8),
    ("solved", 1.8),
    ("fixed", 1.8),
    ("quick", 1.5),
    ("fast", 1.3),
    ("kind", 1.8),
    ("brilliant", 3.0),
    ("satisf*", 2.2),
    ("relieved", 2.0),
    ("danke", 2.0),
    ("super", 2.5),
    ("prima", 2.5),
    ("zufrieden", 2.3),
    ("gelöst", 1.8),
];

/// Words that turn the next few words' valence around.
pub const NEGATORS: &[&str] = &[
    "not", "no", "never", "none", "nothing", "without", "hardly", "neither", "nor", "cannot", "cant", "dont", "doesnt",
    "didnt", "isnt", "wasnt", "arent", "werent", "wont", "wouldnt", "couldnt", "shouldnt", "havent", "hasnt", "aint",
    "nicht", "kein", "keine", "nie",
];

/// Words that make a positive word a polite request rather than a feeling
/// ("I would appreciate", "that would be great"): it counts this much.
pub const CONDITIONALS: &[&str] = &["would", "could", "hope", "hopefully", "if"];
pub const CONDITIONAL_WEIGHT: f32 = 0.4;

/// Words that strengthen (> 1) or soften (< 1) the next word.
pub const INTENSIFIERS: &[(&str, f32)] = &[
    ("very", 1.4),
    ("really", 1.4),
    ("extremely", 1.7),
    ("so", 1.3),
    ("totally", 1.5),
    ("absolutely", 1.6),
    ("completely", 1.5),
    ("incredibly", 1.6),
    ("super", 1.4),
    ("utterly", 1.7),
    ("sehr", 1.4),
    ("slightly", 0.6),
    ("somewhat", 0.7),
    ("bit", 0.7),
    ("little", 0.7),
    ("kinda", 0.7),
];

/// Threats that are feelings too: saying you will leave or go to law is
/// displeasure however calmly it is put ("I will close my account!" carries no
/// word of feeling), so these phrases count towards the tone as well as being
/// signals. Only the unmistakable ones: "cancel" alone is as often a
/// transfer or an order being cancelled, and "legal" a legal name.
pub const THREATS: &[(&str, f32)] = &[
    ("close my account", -2.5),
    ("closing my account", -2.5),
    ("close our account", -2.5),
    ("closing our account", -2.5),
    ("take my business elsewhere", -3.0),
    ("switch to another", -2.0),
    ("switching to another", -2.0),
    ("lawyer", -3.0),
    ("lawsuit", -3.0),
    ("suing", -3.0),
    ("attorney", -3.0),
    ("solicitor", -2.5),
    ("anwalt", -3.0),
    ("klage", -3.0),
];

/// Explicit escalation signals by kind: the words, or phrases (words one after
/// the other), that show them. Phrases where a word alone misleads: "cancel"
/// is mostly a transfer, an order or a meeting being cancelled, "down" a shut
/// down, "court" and "sue" parts of names, "legal" a legal name — counted on
/// the shared data sets, the bare words raised a signal on 204 of 10,003
/// Banking77 messages (148 of them "cancel"), the phrases on 40 (all but one
/// closing an account), and on 27 Endava tickets instead of 92.
pub const SIGNALS: &[(&str, &[&str])] = &[
    (
        "threat to leave",
        &[
            "cancel my account",
            "cancel our account",
            "cancel my subscription",
            "cancel our subscription",
            "cancel my contract",
            "cancel our contract",
            "cancel my membership",
            "cancel the contract",
            "cancel the subscription",
            "cancelling my account",
            "cancelling my subscription",
            "cancelling my contract",
            "canceling my account",
            "canceling my subscription",
            "canceling my contract",
            "cancellation of my account",
            "cancellation of my subscription",
            "cancellation of my contract",
            "will cancel",
            "going to cancel",
            "terminate my account",
            "terminate our account",
            "terminate my contract",
            "terminate our contract",
            "terminate the contract",
            "close my account",
            "closing my account",
            "close our account",
            "closing our account",
            "shut down my account",
            "competitor",
            "unsubscribe",
            "take my business elsewhere",
            "switch to another",
            "switching to another",
            "kündigen",
            "kündigung",
        ],
    ),
    (
        "legal",
        &[
            "lawyer",
            "lawyers",
            "lawsuit",
            "legal action",
            "legal steps",
            "legal proceedings",
            "sue you",
            "sue your",
            "will sue",
            "going to sue",
            "suing",
            "to court",
            "attorney",
            "solicitor",
            "anwalt",
            "klage",
        ],
    ),
    (
        "outage",
        &[
            "outage",
            "is down",
            "are down",
            "was down",
            "were down",
            "went down",
            "goes down",
            "gone down",
            "been down",
            "down again",
            "offline",
            "unavailable",
            "unreachable",
            "crashed",
            "crashing",
            "ausfall",
            "ausgefallen",
        ],
    ),
];
