#include "demo/catalogue.h"

namespace cohort::demo {
namespace {

constexpr auto kFirstNames = std::to_array<std::string_view>({
    "Olivia",   "Liam",    "Emma",   "Noah",      "Amelia", "Oliver",  "Sophia", "Elijah",
    "Isla",     "James",   "Ava",    "Lucas",     "Mia",    "Mateo",   "Zoë",    "José",
    "Ingrid",   "Aarav",   "Priya",  "Wei",       "Mei",    "Hiroshi", "Yuki",   "Fatima",
    "Omar",     "Amira",   "Kwame",  "Chiara",    "Luca",   "Sofía",   "Björn",  "Astrid",
    "Siobhán",  "Niamh",   "Connor", "Chloé",     "Théo",   "Léa",     "Jürgen", "Anneke",
    "Mohammed", "Aisha",   "Dmitri", "Katarzyna", "Tomás",  "Ana",     "Raj",    "Ananya",
    "Kofi",     "Nia",     "Grace",  "Daniel",    "Hannah", "Samuel",  "Ethan",  "Charlotte",
    "Ruth",     "Ibrahim", "Leila",  "Nikolai",
});

constexpr auto kLastNames = std::to_array<std::string_view>({
    "Smith",    "Jones",   "Taylor",   "Brown",     "Williams",  "Wilson",       "Johnson",
    "Davies",   "Patel",   "Khan",     "Nguyen",    "Chen",      "Wang",         "Kim",
    "Tanaka",   "Sato",    "Müller",   "Schmidt",   "Løvik",     "Andersson",    "Johansson",
    "Nielsen",  "García",  "Martínez", "Rodríguez", "Fernández", "López",        "Rossi",
    "Bianchi",  "Dubois",  "Lefèvre",  "Moreau",    "O'Brien",   "Murphy",       "Kelly",
    "Kowalski", "Nowak",   "Novák",    "Ivanova",   "Okafor",    "Mensah",       "Adeyemi",
    "Haddad",   "Cohen",   "Silva",    "Santos",    "Costa",     "van der Berg", "de Vries",
    "Jansen",   "Singh",   "Sharma",   "Gupta",     "Ali",       "Hussain",      "Evans",
    "Thomas",   "Roberts", "Walker",   "Wright",
});

constexpr auto kGroups = std::to_array<GroupEntry>({
    {"engineering", "Engineering", "tech data", 14},
    {"sales-emea", "Sales EMEA", "business", 10},
    {"support", "Customer Support", "business tech", 10},
    {"sales-americas", "Sales Americas", "business", 9},
    {"operations", "Operations", "business people", 7},
    {"finance", "Finance", "data compliance", 5},
    {"marketing", "Marketing", "business data", 6},
    {"data", "Data & Analytics", "data tech", 6},
    {"product", "Product", "tech people", 6},
    {"people", "People & Culture", "people compliance", 4},
    {"sales-apac", "Sales APAC", "business", 5},
    {"legal", "Legal & Compliance", "compliance people", 3},
});

constexpr auto kCourses = std::to_array<CourseEntry>({
    {"python-fundamentals",
     "Python Fundamentals",
     "tech",
     1.5,
     Variant::kPlain,
     {"Getting Started|Installing Python|Your first script|Using the REPL|Comments and style|"
      "Running files|Reading error messages",
      "Variables and Types|Numbers and arithmetic|Strings|Booleans|Type conversion|f-strings|"
      "None and truthiness",
      "Control Flow|if, elif, else|while loops|for loops and range|break and continue|"
      "Nested loops|Loop patterns",
      "Functions|Defining functions|Parameters and defaults|Return values|Scope|Docstrings|"
      "Lambdas",
      "Collections|Lists|Tuples|Dictionaries|Sets|Comprehensions|Slicing",
      "Files and Errors|Reading files|Writing files|try and except|Raising exceptions|"
      "Context managers|Working with CSV"}},
    {"data-privacy-gdpr",
     "Data Privacy & GDPR",
     "compliance",
     3.0,
     Variant::kRecertify,
     {"Why Privacy Matters|What is personal data?|Special category data|Real-world breaches|"
      "Your responsibilities|Privacy by design|Quiz: the basics",
      "The Seven Principles|Lawfulness and fairness|Purpose limitation|Data minimisation|"
      "Accuracy|Storage limitation|Accountability",
      "Lawful Bases|Consent|Contract|Legal obligation|Legitimate interests|"
      "Vital and public interests|Choosing a basis",
      "Individual Rights|Right of access|Rectification and erasure|Restriction and objection|"
      "Data portability|Automated decisions|Handling a request",
      "Security and Breaches|Keeping data secure|Recognising a breach|The 72-hour rule|"
      "Reporting internally|Phishing and social engineering|Case study: the lost laptop",
      "International Transfers|Adequacy decisions|Standard contractual clauses|"
      "Working with processors|Cloud services|Transfer impact assessments|Final review"}},
    {"secure-coding",
     "Secure Coding",
     "tech",
     1.0,
     Variant::kBkt,
     {"Security Mindset|Threat modelling|Attack surface|Defence in depth|Least privilege|"
      "Trust boundaries|Secure defaults",
      "Injection|SQL injection|Parameterised queries|Command injection|Template injection|"
      "ORM pitfalls|LDAP and XPath injection",
      "Web Vulnerabilities|Cross-site scripting|Output encoding|CSRF|Clickjacking|"
      "CORS done right|Content Security Policy",
      "Authentication|Password storage|Session management|Multi-factor authentication|"
      "OAuth basics|JWT pitfalls|Account recovery",
      "Secrets and Crypto|Managing secrets|Choosing algorithms|Randomness|TLS everywhere|"
      "Key rotation|Hashing vs encryption",
      "Supply Chain|Vulnerable dependencies|Lock files|Code review for security|"
      "Static analysis|Container images|Incident response"}},
    {"leadership-essentials",
     "Leadership Essentials",
     "people",
     1.2,
     Variant::kShortWindow,
     {"Leading Yourself|Self-awareness|Managing your time|Resilience|Values and purpose|"
      "Asking for feedback|Your development plan",
      "Communication|Active listening|Giving clear direction|Difficult conversations|"
      "Presenting with confidence|Writing for impact|Running effective meetings",
      "Building Teams|Psychological safety|Team roles|Onboarding new starters|"
      "Remote and hybrid teams|Celebrating success|Team charters",
      "Coaching and Feedback|The GROW model|Feedback that lands|One-to-ones|"
      "Recognising potential|Delegation|Coaching questions",
      "Decisions and Change|Making decisions|Leading through change|Handling resistance|"
      "Prioritisation|Managing risk|Learning from failure",
      "Performance|Setting objectives|Measuring progress|Underperformance|Performance reviews|"
      "Motivation|Career conversations"}},
    {"excel-for-analysts",
     "Excel for Analysts",
     "data",
     1.5,
     Variant::kFivePoints,
     {"Workbook Basics|Navigating workbooks|Cell references|Formatting numbers|Named ranges|"
      "Data validation|Keyboard shortcuts",
      "Formulas|SUM, AVERAGE and friends|IF and nested logic|Text functions|Date functions|"
      "Rounding|Error handling with IFERROR",
      "Lookups|VLOOKUP|INDEX and MATCH|XLOOKUP|Approximate matches|Two-way lookups|"
      "Lookup pitfalls",
      "PivotTables|Creating a PivotTable|Grouping dates|Calculated fields|Slicers|PivotCharts|"
      "Refreshing data",
      "Cleaning Data|Removing duplicates|Text to columns|Flash Fill|Power Query basics|"
      "Handling blanks|Consistent formats",
      "Charts and Dashboards|Choosing a chart|Combo charts|Sparklines|Conditional formatting|"
      "Dashboard layout|Sharing workbooks"}},
    {"sql-basics",
     "SQL Basics",
     "data",
     1.2,
     Variant::kPlain,
     {"Querying Data|SELECT and FROM|Filtering with WHERE|Sorting with ORDER BY|"
      "LIMIT and OFFSET|DISTINCT|Aliases",
      "Working with NULL|NULL semantics|IS NULL|COALESCE|NULL in aggregates|"
      "Three-valued logic|Quiz: NULL traps",
      "Aggregation|COUNT, SUM, AVG|GROUP BY|HAVING|Grouping sets|Counting distinct|"
      "Aggregation pitfalls",
      "Joins|Inner joins|Left joins|Self joins|Joining many tables|Anti-joins|Join cardinality",
      "Subqueries and CTEs|Scalar subqueries|IN and EXISTS|Common table expressions|"
      "Recursive CTEs|Derived tables|Readable queries",
      "Changing Data|INSERT|UPDATE|DELETE|Transactions|Constraints|Index basics"}},
    {"customer-service-excellence",
     "Customer Service Excellence",
     "business",
     1.2,
     Variant::kPlain,
     {"Service Foundations|What customers expect|First impressions|Tone of voice|"
      "Service standards|Taking ownership|Quiz: foundations",
      "Listening and Empathy|Listening to understand|Empathy statements|Asking good questions|"
      "Reading emotions|Summarising|Building rapport",
      "Handling Complaints|The LAST model|Apologising well|Angry customers|Escalation paths|"
      "Making it right|Following up",
      "Channels|Phone etiquette|Email replies|Live chat|Social media|Self-service|"
      "Consistency across channels",
      "Solving Problems|Diagnosing issues|Setting expectations|Saying no positively|"
      "Using the knowledge base|Handovers|Root causes",
      "Going the Extra Mile|Delighting customers|Loyalty drivers|Measuring satisfaction|"
      "Net Promoter Score|Customer feedback loops|Service stories"}},
    {"project-management-101",
     "Project Management 101",
     "business",
     1.2,
     Variant::kPlain,
     {"Project Basics|What is a project?|The project life cycle|Roles and responsibilities|"
      "The project charter|Success criteria|Quiz: basics",
      "Planning|Scope statements|Work breakdown structure|Estimating|Scheduling|Critical path|"
      "Baselines",
      "Stakeholders|Identifying stakeholders|Power and interest|Communication plans|"
      "Managing expectations|Status reports|Steering committees",
      "Risks and Issues|Risk registers|Assessing risk|Responding to risk|Issue logs|"
      "Change control|Lessons learned",
      "Agile Delivery|Agile principles|Scrum roles|Sprints and ceremonies|Kanban|User stories|"
      "Estimating with points",
      "Closing Projects|Acceptance|Handover to operations|Benefits realisation|Retrospectives|"
      "Closing reports|Celebrating delivery"}},
    {"negotiation-skills",
     "Negotiation Skills",
     "business",
     0.8,
     Variant::kPlain,
     {"Preparation|Interests vs positions|Your BATNA|Setting targets|Researching the other side|"
      "Planning concessions|Preparation checklist",
      "Opening|First offers|Anchoring|Framing|Building trust|Opening statements|"
      "Reading the room",
      "Bargaining|Trading concessions|Silence as a tool|Handling pressure|Deadlines|Packaging|"
      "Tactics to spot",
      "Difficult Situations|Deadlock|Emotional negotiators|Ultimatums|"
      "Multi-party negotiations|Negotiating across cultures|Walking away",
      "Closing|Summarising agreement|Closing techniques|Writing it down|Avoiding remorse|"
      "Implementation|Review",
      ""}},
    {"cloud-foundations",
     "Cloud Foundations",
     "tech",
     1.0,
     Variant::kPlain,
     {"Cloud Concepts|What is cloud computing?|IaaS, PaaS, SaaS|Regions and zones|"
      "Shared responsibility|Pricing models|Well-architected basics",
      "Compute|Virtual machines|Containers|Serverless functions|Autoscaling|Load balancers|"
      "Choosing compute",
      "Storage|Object storage|Block storage|File storage|Backups|Storage classes|"
      "Data lifecycle",
      "Networking|Virtual networks|Subnets and routing|Firewalls and security groups|DNS|CDNs|"
      "Private connectivity",
      "Identity and Security|Identity and access management|Roles and policies|"
      "Encryption at rest|Monitoring and logging|Cost controls",
      ""}},
});

}  // namespace

std::span<const std::string_view> FirstNames() { return kFirstNames; }
std::span<const std::string_view> LastNames() { return kLastNames; }
std::span<const GroupEntry> Groups() { return kGroups; }
std::span<const CourseEntry> Courses() { return kCourses; }

}  // namespace cohort::demo
