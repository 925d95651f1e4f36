"""Vocabulary for the synthetic book of business: company parts, people, note fragments.

Kept apart from the generator so the shape of the data (which words are rare, which are common)
is visible at a glance: the full-text benchmarks depend on it.
"""

from __future__ import annotations

COMPANY_FIRST = ["Acme", "Apex", "Atlas", "Aurora", "Beacon", "Birch", "Blue", "Bold", "Bright", "Cedar", "Cinder", "Clear", "Cobalt", "Copper", "Coral", "Crest", "Crystal", "Delta", "Eagle", "Echo", "Ember", "Emerald", "Evergreen", "Falcon", "Fern", "Firefly", "Flint", "Forge", "Fox", "Frontier", "Garnet", "Glacier", "Globex", "Golden", "Granite", "Green", "Harbor", "Hawk", "Hazel", "Highland", "Horizon", "Indigo", "Iron", "Ivory", "Jade", "Juniper", "Keystone", "Kettle", "Lake", "Lantern", "Laurel", "Legacy", "Liberty", "Lighthouse", "Linden", "Lotus", "Lumen", "Maple", "Marble", "Meadow", "Mercury", "Meridian", "Midland", "Mosaic", "Noble", "North", "Nova", "Oak", "Ocean", "Onyx", "Orchard", "Orion", "Pacific", "Peak", "Pine", "Pioneer", "Pinnacle", "Polar", "Prairie", "Prime", "Quartz", "Quest", "Radiant", "Raven", "Red", "Redwood", "Ridge", "River", "Rock", "Royal", "Ruby", "Sage", "Sapphire", "Silver", "Sky", "Slate", "Solar", "Spark", "Spring", "Spruce", "Star", "Sterling", "Stone", "Summit", "Sun", "Swift", "Thistle", "Timber", "Titan", "Trail", "True", "Union", "Valley", "Vantage", "Velvet", "Vertex", "Vista", "Wave", "West", "Willow", "Wind", "Zenith"]

COMPANY_SECOND = ["Analytics", "Arts", "Bakery", "Bay", "Bio", "Bridge", "Brook", "Builders", "Cabinets", "Capital", "Castle", "Cloud", "Coast", "Collective", "Consulting", "Craft", "Creek", "Crumb", "Dairy", "Data", "Design", "Dynamics", "Electric", "Energy", "Engineering", "Equipment", "Farms", "Field", "Finance", "Fitness", "Foods", "Forge", "Freight", "Garden", "Gate", "Glass", "Goods", "Grove", "Health", "Hill", "Holdings", "Home", "Industries", "Insights", "Instruments", "Labs", "Land", "Landscaping", "Legal", "Lighting", "Line", "Logistics", "Machines", "Marine", "Media", "Medical", "Metals", "Mills", "Mining", "Motors", "Networks", "Optics", "Outfitters", "Packaging", "Paper", "Partners", "Path", "Pharma", "Plastics", "Point", "Power", "Print", "Properties", "Realty", "Renewables", "Research", "Robotics", "Roofing", "Security", "Shipping", "Signal", "Software", "Solutions", "Sports", "Steel", "Studio", "Supply", "Systems", "Tech", "Textiles", "Tools", "Trading", "Transport", "Travel", "Ventures", "Vision", "Water", "Wellness", "Wireless", "Works", "Yard"]

SURNAMES = ["Abbott", "Adams", "Alvarez", "Anderson", "Bailey", "Baker", "Barnes", "Bell", "Bennett", "Brooks", "Brown", "Bryant", "Butler", "Campbell", "Carter", "Castillo", "Chen", "Clark", "Coleman", "Collins", "Cook", "Cooper", "Cruz", "Davies", "Davis", "Diaz", "Dubois", "Edwards", "Evans", "Fischer", "Fisher", "Flores", "Foster", "Garcia", "Gomez", "Gonzalez", "Gray", "Green", "Griffin", "Hall", "Hansen", "Harris", "Hayes", "Henderson", "Hernandez", "Hill", "Hoffmann", "Howard", "Hughes", "Jackson", "James", "Jenkins", "Johnson", "Jones", "Kelly", "Kim", "King", "Klein", "Kowalski", "Lambert", "Lee", "Lewis", "Long", "Lopez", "Martin", "Martinez", "Meyer", "Miller", "Mitchell", "Moore", "Morgan", "Morris", "Muller", "Murphy", "Nguyen", "Nielsen", "Novak", "Olsen", "Ortiz", "Parker", "Patel", "Perez", "Perry", "Peterson", "Phillips", "Powell", "Price", "Ramirez", "Reed", "Reyes", "Richards", "Rivera", "Roberts", "Robinson", "Rogers", "Ross", "Russell", "Sanchez", "Sanders", "Schmidt", "Schneider", "Scott", "Shah", "Silva", "Singh", "Smith", "Stewart", "Sullivan", "Taylor", "Thomas", "Thompson", "Torres", "Turner", "Walker", "Wang", "Ward", "Watson", "Weber", "White", "Williams", "Wilson", "Wood", "Wright", "Young", "Zhang"]

FIRST_NAMES = ["Aaron", "Adriana", "Aisha", "Alan", "Alice", "Amara", "Amir", "Ana", "Andrea", "Anton", "Ava", "Beatriz", "Ben", "Bianca", "Caleb", "Camila", "Carlos", "Chloe", "Chris", "Clara", "Daniel", "Dana", "Diego", "Elena", "Eli", "Emma", "Erik", "Fatima", "Felix", "Freya", "Gabriel", "Grace", "Hana", "Hank", "Hannah", "Holly", "Hugo", "Ibrahim", "Ines", "Isaac", "Ivan", "Jack", "Jamal", "Jana", "Jonas", "Julia", "Kai", "Karen", "Kenji", "Lara", "Leo", "Lina", "Liam", "Lucas", "Lucia", "Maya", "Mia", "Mohammed", "Nadia", "Nina", "Noah", "Olga", "Omar", "Oscar", "Paula", "Pedro", "Priya", "Rafael", "Rosa", "Ruth", "Sam", "Sara", "Sofia", "Stefan", "Tara", "Theo", "Tomas", "Uma", "Victor", "Wei", "Yara", "Yusuf", "Zoe"]

LEGAL = [
    "Corp",
    "Corporation",
    "Inc",
    "Inc.",
    "Ltd",
    "Limited",
    "LLC",
    "GmbH",
    "AG",
    "S.A.",
    "Co.",
    "Group",
    "PLC",
]

ROLES = [
    "CEO",
    "CTO",
    "CFO",
    "COO",
    "Head of Sales",
    "Procurement",
    "Office manager",
    "Owner",
    "IT lead",
    "Operations director",
    "Buyer",
    "Marketing lead",
    "Founder",
    "VP Engineering",
]

TAGS = ["enterprise", "smb", "partner", "renewal", "priority", "referral", "eu", "us", "apac", "trial"]

# Sentences a rep writes after a call. {} slots are filled from the topic tiers below, so each
# note mixes common CRM words with the occasional rare one.
FRAGMENTS = [
    "Call with {person} about {topic}.",
    "Met {person} at their office; discussed {topic} and {topic}.",
    "They want a proposal covering {topic} by {day}.",
    "Sent pricing for {topic}.",
    "{person} asked about {topic}; will follow up {day}.",
    "Budget is tight this quarter, {topic} may slip.",
    "Demo went well, the team liked {topic}.",
    "Waiting on legal review of {topic}.",
    "Renewal conversation started, they mentioned {topic}.",
    "Left a voicemail for {person}.",
    "Quick email exchange about {topic}.",
    "Decision expected {day}; competitor is pitching {topic}.",
    "Need to loop in {person} on {topic}.",
    "Contract redlines came back on {topic}.",
    "They are comparing us against {rare} for {topic}.",
    "Intro call, seasonal business, asked about {topic}.",
]
COMMON_TOPICS = [
    "pricing",
    "onboarding",
    "support",
    "the contract",
    "integration",
    "training",
    "invoicing",
    "the pilot",
    "delivery times",
    "volume discounts",
    "the roadmap",
    "security review",
    "payment terms",
    "implementation",
    "reporting",
    "the renewal",
]
UNCOMMON_TOPICS = [
    "warehouse automation",
    "fleet tracking",
    "data migration",
    "single sign-on",
    "custom fields",
    "api limits",
    "multi-currency",
    "offline mode",
    "audit logs",
    "bulk export",
    "mobile app",
    "two-factor login",
    "tax rules",
    "shipping labels",
    "loyalty program",
    "label printer",
]
# Words that appear in very few notes: a selective full-text query.
RARE_WORDS = [
    "Zephyrsoft",
    "Quillmark",
    "Tangentia",
    "Orbitex",
    "escrow",
    "kubernetes",
    "hl7 interface",
    "iso 27001",
    "sarbanes",
    "biometric",
    "blockchain",
    "carbon credits",
]
DAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "next week", "end of month", "tomorrow"]
FOLLOWUP_WORDS = [
    "send pricing",
    "call back",
    "check in",
    "send contract",
    "confirm seat count",
    "book demo",
    "quarterly check-in",
    "chase invoice",
    "share case study",
    "renewal call",
]

REPS = [
    "sam",
    "kim",
    "alice",
    "bob",
    "carol",
    "dave",
    "erin",
    "frank",
    "grace",
    "heidi",
    "ivan",
    "judy",
    "mallory",
    "niaj",
    "olivia",
    "peggy",
    "rupert",
    "sybil",
    "trent",
    "victor",
]
