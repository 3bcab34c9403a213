"""A labelled set of planted personal data and hard negatives, to measure redaction (issue 14).

Each :class:`Case` is a comment as a customer might write it, its group (``identifier``, ``name``,
``address`` or ``negative``) and the exact substrings that must not survive redaction. The
identifiers follow their issuers' published layouts: HMRC's National Insurance number (two
letters, six digits, a letter A–D; HMRC's own examples use the prefix QQ), the US Social Security
Administration's SSN (3-2-4 digits, never area 000/666 or group 00), ISO 13616 IBANs (the
examples are the ones the national banks publish, e.g. GB29 NWBK 6016 1331 9268 19), NHS numbers
(the NHS Data Dictionary's example 943 476 5919), the DVLA's driving licence layout
(MORGA753116SM9IJ); postcodes are Royal Mail's (LS6 2QZ, SW1A 1AA, EC1A 1BB, W1A 0AX …), USPS ZIP
and ZIP+4, La Poste (75011 Paris), Deutsche Post (10115 Berlin) and PostNL (1012 AB). The
negatives are the look-alikes consultants meet in real exports: order and ticket numbers,
prices, dates, times, ranges, product codes shaped like postcodes (PS5 1TB, A4 2BX), years
before acronyms (1966 FA Cup), and ordinary words that are also names (will, bill, May, Grace,
Frank) or that follow the cues a name follows ("This is Ridiculous.", "Regards to the team").

The set is built once, deterministically (a fixed seed picks which name goes in which sentence);
``tests/data/test_privacy.py`` measures recall per group and precision on it, and the issue's
comparison with PII libraries used the same cases.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Case:
    """One planted comment."""

    text: str
    group: str  # identifier | name | address | negative
    secrets: tuple[str, ...] = field(default=())
    kind: str = ""  # the finer kind, for the report (nino, ssn, iban, uk_street, …)


FIRST = ["Sarah", "Tom", "Priya", "Mohammed", "Aisha", "Daniel", "Chloe", "James", "Olivia", "Wei", "Siobhan",
         "Oluwaseun", "Zoë", "José", "Magdalena", "Liam", "Fatima", "Grzegorz", "Hannah", "Ravi", "Emma", "Kwame",
         "Sophie", "Dmitri", "Niamh", "Arjun", "Isabella", "Connor", "Yusuf", "Freya"]
LAST = ["Smith", "Jones", "Patel", "Khan", "O'Neill", "Smith-Jones", "McDonald", "Nguyen", "Kowalski", "Okafor",
        "Müller", "García", "Brown", "Wilson", "Taylor", "Evans", "Thomas", "Roberts", "Walsh", "Campbell",
        "Hughes", "Ahmed", "Murphy", "Kelly", "Fitzgerald", "Anderson", "Bianchi", "Dubois", "Janssen", "Lindqvist"]


def _identifiers(rng: random.Random) -> list[Case]:
    ninos = ["QQ 12 34 56 C", "QQ123456C", "qq 12 34 56 c", "JG 10 37 42 B", "AB-12-34-56-D", "PA 27 71 59 A",
             "ZX 98 76 54 D", "CE 55 12 90 B", "WL 01 02 03 A", "HN123456A"]
    nino_texts = ["My NI number is {}", "national insurance {} - please update", "NI: {}", "ni no {} for the claim",
                  "Please correct my record, {}", "{} is my national insurance number",
                  "they asked for my NINO ({}) twice", "my national insurance number {} was read out on the phone",
                  "Reference {} was on the letter", "the form shows {} wrongly"]
    out = [Case(t.format(v), "identifier", (v,), "nino") for t, v in zip(nino_texts, ninos)]
    out += [Case("NI number QQ 12 34 56 and still no refund", "identifier", ("QQ 12 34 56",), "nino"),
            Case("national insurance no: JG103742", "identifier", ("JG103742",), "nino")]
    ssns = ["123-45-6789", "219-09-9999", "078-05-1120", "536 22 8726", "912-70-1234", "457-55-5462", "372-41-9283",
            "601-24-5511"]
    ssn_texts = ["my SSN is {}", "Social security number {} on file is wrong", "ssn: {}", "They read my {} aloud",
                 "ITIN {} for tax", "please do not email {} again", "account holder SSN {}",
                 "the letter listed {} in full"]
    out += [Case(t.format(v), "identifier", (v,), "ssn") for t, v in zip(ssn_texts, ssns)]
    out += [Case("SSN 123456789 was on the bill", "identifier", ("123456789",), "ssn"),
            Case("social security number: 219099999", "identifier", ("219099999",), "ssn")]
    ibans = ["GB29 NWBK 6016 1331 9268 19", "GB29NWBK60161331926819", "DE89 3704 0044 0532 0130 00",
             "FR14 2004 1010 0505 0001 3M02 606", "NL91ABNA0417164300", "ES91 2100 0418 4502 0005 1332",
             "IT60 X054 2811 1010 0000 0123 456", "BE68 5390 0754 7034", "IE29 AIBK 9311 5212 3456 78",
             "CH93 0076 2011 6238 5295 7"]
    iban_texts = ["refund to {} please", "IBAN {}", "my iban is {} not the old one", "paid from {}",
                  "the direct debit uses {}", "Bank: {}", "use account {} for the refund", "iban: {}",
                  "transfer to {} failed", "{} is the right account"]
    out += [Case(t.format(v), "identifier", (v,), "iban") for t, v in zip(iban_texts, ibans)]
    ids = [("my passport number is 502135326", "502135326", "passport"),
           ("Passport no. 925076473 expires soon", "925076473", "passport"),
           ("driving licence MORGA753116SM9IJ was scanned", "MORGA753116SM9IJ", "licence"),
           ("driver's license number D1234567 on the form", "D1234567", "licence"),
           ("NHS number 943 476 5919 is on the letter", "943 476 5919", "nhs"),
           ("my nhs no. 9434765919", "9434765919", "nhs"),
           ("BSN 123456782", "123456782", "eu_id"), ("Steuer-ID 12 345 678 901", "12 345 678 901", "eu_id"),
           ("DNI 12345678Z por favor", "12345678Z", "eu_id"), ("PESEL 44051401458", "44051401458", "eu_id"),
           ("codice fiscale RSSMRA85T10A562S", "RSSMRA85T10A562S", "eu_id"),
           ("personnummer 19850101-1234", "19850101-1234", "eu_id"),
           ("tax id 12-3456789 on the invoice", "12-3456789", "eu_id"),
           ("UTR 1234567890 for my return", "1234567890", "eu_id"),
           ("national ID card number 123456789012", "123456789012", "eu_id")]
    out += [Case(t, "identifier", (v,), k) for t, v, k in ids]
    contact = [("email me at sarah.jones@example.co.uk", "sarah.jones@example.co.uk", "email"),
               ("write to T.O'Neill+cx@mail.example.com", "T.O'Neill+cx@mail.example.com", "email"),
               ("call 07700 900123 after 5", "07700 900123", "phone"),
               ("ring +44 20 7946 0123", "+44 20 7946 0123", "phone"),
               ("my number is (555) 123-4567", "(555) 123-4567", "phone"),
               ("on 0161 496 0582 any time", "0161 496 0582", "phone"),
               ("card 4111 1111 1111 1111 charged twice", "4111 1111 1111 1111", "card"),
               ("amex 3782 822463 10005", "3782 822463 10005", "card"),
               ("sort code 20-00-00 account 12345678", "20-00-00", "account"),
               ("account number 31926819 please refund", "31926819", "account")]
    out += [Case(t, "identifier", (v,), k) for t, v, k in contact]
    # the same identifiers inside longer, messier comments
    templates = ["Absolutely furious!!! {} and nobody called back", "{}",
                 "I gave {} to the agent on chat, why was it read back to me?",
                 "Refund still missing (ref {}), 3rd time asking", "-- {} --"]
    for v in ninos[:4] + ssns[:4] + ibans[:4]:
        kind = "nino" if v in ninos else "ssn" if v in ssns else "iban"
        t = rng.choice(templates)
        out.append(Case(t.format(v), "identifier", (v,), kind))
    return out


def _names(rng: random.Random) -> list[Case]:
    def full() -> str:
        return f"{rng.choice(FIRST)} {rng.choice(LAST)}"

    out = []
    strong = ["my name is {}", "My name's {} and I want a refund", "Name: {}", "name = {}", "full name: {}",
              "Hi my name is {} and the app keeps crashing", "I am called {}", "Customer name: {}",
              "account holder: {}", "signed: {}"]
    for t in strong:
        n = full()
        out.append(Case(t.format(n), "name", (n,), "introduced"))
    for t, n in [("my name is priya patel and I was overcharged", "priya patel"),
                 ("MY NAME IS JOHN SMITH AND I AM FURIOUS", "JOHN SMITH"),
                 ("my name is tom, account 123", "tom"), ("My name is Will", "Will"),
                 ("my name is Mrs Grace O'Neill", "Grace O'Neill")]:
        out.append(Case(t, "name", (n,), "introduced"))
    self_intro = ["This is {} from the Leeds office.", "this is {} speaking, I rang yesterday", "Hi, it's {} here",
                  "I'm {}, the account holder.", "This is {}.", "Hello, I am {} and I called twice",
                  "It is {} from flat 3", "this is {} calling about the bill"]
    for t in self_intro:
        n = rng.choice([rng.choice(FIRST), full()])
        out.append(Case(t.format(n), "name", (n,), "introduced"))
    signoffs = ["Regards, {}", "Kind regards,\n{}", "Thanks, {}", "Many thanks\n{}", "Cheers, {}",
                "Best wishes, {}", "Sincerely, {}", "Yours faithfully, {}", "Thank you.\n{}", "Best,\n{}",
                "Thanks again, {}!", "Warm regards {}", "regards {}", "Love, {}", "Ta, {}"]
    for t in signoffs:
        n = rng.choice([rng.choice(FIRST), full(), f"{rng.choice(FIRST)[0]}. {rng.choice(LAST)}"])
        body = rng.choice(["The engineer never came. ", "Great service overall. ", "Bill was wrong again.\n", ""])
        out.append(Case(body + t.format(n), "name", (n,), "signature"))
    for t, n in [("Thanks, J. Bloggs", "J. Bloggs"), ("Regards, Tom Smith", "Tom Smith"),
                 ("Fix it please - Sam", "Sam"), ("Never again.\n— Laura K.", "Laura K"),
                 ("sorted in minutes, cheers ~ Dave", "Dave"), ("Yours sincerely, Dr. A. Patel", "A. Patel"),
                 ("Thanks Priya for sorting it", "Priya"), ("Shout out to Kwame in billing!", "Kwame")]:
        out.append(Case(t, "name", (n,), "signature"))
    titled = ["Mr {} was very helpful", "Mrs {} on the phone was rude", "Dr {} told me to call you",
              "Ms {} explained everything", "Please ask Mr {} to call me back", "Dear Mr {},"]
    for t in titled:
        n = rng.choice(LAST)
        out.append(Case(t.format(n), "name", (n,), "titled"))
    greet = ["Dear {},\nthe refund never arrived", "Hi {}, thanks for the call", "Hello {}!", "Hey {} - still waiting"]
    for t in greet:
        n = rng.choice(FIRST)
        out.append(Case(t.format(n), "name", (n,), "greeting"))
    referred = ["I spoke to {} who was brilliant", "the agent {} hung up on me", "served by {} at the branch",
                "my advisor {} never rang back", "helped by {} on live chat", "I talked with {} yesterday",
                "the engineer {} was late", "spoke with {} twice", "a lady called {} sorted it",
                "the manager {} refused to help", "dealt with by {} in complaints", "rep {} was great"]
    for t in referred:
        n = rng.choice([rng.choice(FIRST), full()])
        out.append(Case(t.format(n), "name", (n,), "referred"))
    # in longer comments
    longer = ["The app crashed three times this week. My name is {} and I have been a customer for 10 years.",
              "Still no engineer after 2 weeks, really poor.\nRegards,\n{}",
              "Called on Monday, spoke to {}, nothing happened. Called again Friday.",
              "Very happy with the switch, thanks {}!", "This is {} again, the meter reading is still wrong."]
    for t in longer:
        n = full()
        out.append(Case(t.format(n), "name", (n,), "introduced"))
    return out


def _addresses(rng: random.Random) -> list[Case]:
    out = []
    streets = ["14 Acacia Avenue", "Flat 3, 22 High Street", "221B Baker Street", "7 Mill Lane", "10 Downing St",
               "42 St John's Road", "5a Church Close", "1-3 Victoria Terrace", "89 Kingsway Crescent",
               "16 Oak Tree Drive", "3 Market Place", "27 Queen's Gardens", "118 Station Rd", "9 The Grove"]
    st_texts = ["I live at {}", "deliver to {} not the old address", "{} is my address",
                "moved to {} last month", "the engineer went to {} instead", "post it to {}, thanks",
                "Address: {}", "we are at {} since May"]
    for s in streets:
        out.append(Case(rng.choice(st_texts).format(s), "address", (s,), "uk_street"))
    for t, s in [("i live at 14 acacia avenue and nobody came", "14 acacia avenue"),
                 ("my address is 7 mill lane.", "7 mill lane"),
                 ("they sent it to 22 high street", "22 high street")]:
        out.append(Case(t, "address", (s,), "uk_street"))
    postcodes = ["LS6 2QZ", "SW1A 1AA", "M1 1AE", "B33 8TH", "CR2 6XH", "DN55 1PT", "EC1A 1BB", "W1A 0AX", "G2 3WT",
                 "EH1 1YZ", "BS8 1TH", "CF10 1EP", "ls6 2qz", "NE1 4ST"]
    pc_texts = ["postcode {}", "my postcode is {}", "we are in {}", "{} - wrong postcode on the bill",
                "the van went to {} by mistake", "Post code: {}"]
    for p in postcodes:
        out.append(Case(rng.choice(pc_texts).format(p), "address", (p,), "uk_postcode"))
    for street, town, pc in [("14 Acacia Avenue", "Leeds", "LS6 2QZ"), ("22 High Street", "Bristol", "BS1 4DJ"),
                             ("5 Park Road", "Manchester", "M14 5RB"), ("Flat 2, 9 Mill Lane", "Cardiff", "CF24 3AA")]:
        out.append(Case(f"please send it to {street}, {town} {pc}", "address", (street, pc), "uk_full"))
    us = [("1600 Pennsylvania Avenue NW, Washington, DC 20500", ("1600 Pennsylvania Avenue NW", "20500")),
          ("350 5th Avenue, New York, NY 10118", ("350 5th Avenue", "10118")),
          ("Springfield, IL 62704", ("62704",)), ("Austin, TX 78701-1234", ("78701-1234",)),
          ("zip code 10001", ("10001",)), ("ZIP: 94105-1804", ("94105-1804",)),
          ("123 Main St, Boise, ID 83702", ("123 Main St", "83702")), ("4059 Mt Lee Dr, Hollywood, CA 90068", ("90068",)),
          ("California 90210", ("90210",)), ("ship to 742 Evergreen Terrace", ("742 Evergreen Terrace",)),
          ("PO Box 1234, Portland, OR 97208", ("PO Box 1234", "97208")), ("60601-7501 is my zip", ("60601-7501",))]
    for t, secrets in us:
        out.append(Case(f"address is {t}", "address", secrets, "us"))
    eu = [("75011 Paris", ("75011",)), ("10115 Berlin", ("10115",)), ("Hauptstraße 5, 10115 Berlin", ("Hauptstraße 5", "10115")),
          ("Kerkstraat 12, 1012 AB Amsterdam", ("Kerkstraat 12", "1012 AB")), ("1012 AB", ("1012 AB",)),
          ("12 rue de la Paix, 75002 Paris", ("12 rue de la Paix", "75002")),
          ("Via Roma 12, 00184 Roma", ("Via Roma 12", "00184")), ("Calle Mayor 5, 28013 Madrid", ("Calle Mayor 5", "28013")),
          ("Rue Neuve 1, 1000 Bruxelles", ("Rue Neuve 1", "1000")), ("Berliner Straße 12", ("Berliner Straße 12",)),
          ("Storgatan 3, 111 51 Stockholm", ("Storgatan 3",)), ("D-80331 München", ("80331",)),
          ("Bahnhofstrasse 1, 8001 Zürich", ("Bahnhofstrasse 1", "8001")), ("3011 BD Rotterdam", ("3011 BD",)),
          ("69002 Lyon", ("69002",)), ("Damrak 1, 1012 LG", ("1012 LG",))]
    for t, secrets in eu:
        out.append(Case(rng.choice(["address: {}", "I live at {}", "{}", "please send to {}"]).format(t),
                        "address", secrets, "eu"))
    return out


NEGATIVES = [
    # numbers: orders, tickets, money, counts, dates, times, ranges, versions
    "order 12345 never arrived", "ticket #1234567 still open", "order 1234567890123", "paid £45.99 twice",
    "$1,299.00 for nothing", "3 times in one week", "on 12/03/2024 at 10:30", "2024-03-12 10:30:00",
    "waited 45 minutes on hold", "between 1,000 and 2,000 customers", "version 2.0.1 broke it", "10-15 minutes",
    "flight BA0123 on 1 March", "room 101", "1234567890", "tracking 1Z999AA10123456784", "2,500,000 points",
    "rated 10 10 10 9 9 8 10", "3/4 of the time", "50% off", "invoice 2024-0312 is wrong", "ref 000-12-3456",
    "case 123-00-4567", "10:30-11:45 slot", "v1.2.3-45", "100-200 per month", "it took 12-34 days",
    "meter reading 12345 67890", "order 75011 Paris warehouse", "paid 12345 Euros", "over 10000 Customers",
    "in 2019 Berlin office", "the 1966 FA Cup", "2000 XP bonus", "1080 HD stream", "1500 GB data", "at 1030 AM",
    "2024 AD", "since 2021 UK prices", "the 2020 US election", "12-34-56", "order 90210 shipped", "ID 83702",
    "my ID 12345", "ticket IN 47201", "code OR 97208", "week 52 2024", "22/10/2024 14:05", "10,000 steps",
    # product and model codes shaped like postcodes or ids
    "my PS5 1TB keeps crashing", "A4 2BX paper", "RTX 4090 card", "iPhone 15 Pro", "the M2 SSD", "B12 vitamins",
    "E10 fuel only", "Galaxy S20 1TB model", "Model XR5 2AB", "the A1 road", "M6 2nd junction", "V8 2AB engine",
    "PIN 1234", "SKU AB123456", "part no. QX50 2AB", "F1 2GB router", "K9 1AB unit", "Z3 1AB", "AB12 3CD?",
    # words that are names, and the cues names follow
    "I will call back tomorrow", "the bill was wrong again", "in May the price rose", "mark my words",
    "grace period was too short", "frank feedback from the team", "prices rose by 10%", "I will sue them",
    "a pat on the back for the engineer", "they jack up prices every year", "Sterling service as always",
    "This is Ridiculous.", "This is not good enough", "I am Disappointed!", "I'm Furious.", "It's Terrible.",
    "this is the third time", "Thanks, great service", "Regards to the team", "Best service ever",
    "Dear Sir or Madam,", "Hi there,", "Hello Team,", "the name on the bill is wrong", "my name is spelt wrong",
    "my name is on the account", "I spoke to customer services", "the agent was rude", "I called British Gas",
    "Thanks again!", "I called Monday and Friday", "the advisor I spoke to was dismissive", "Kind regards",
    "Cheers!", "- Great service", "spoke to a manager", "Thanks for nothing", "Many thanks to all the staff",
    "Best Buy was cheaper", "Dear Customer Services,", "Hi All,", "Regards.", "This is Amazing!",
    "I am Happy with it", "called Customer Services twice", "agent Unknown", "spoke to Someone in billing",
    "Thanks Team!", "It's Monday again", "I'm Sorry but no", "Hey Google, call them", "Name: N/A",
    "name: not given", "This is British Gas all over", "Thank you", "with kind regards",
    # address-like phrases that are not addresses
    "3 long road trips", "waited 2 hours on the road", "5 star service", "took 3 wrong turns down the lane",
    "a 2 way street", "the 24 Hour Park", "4 Seasons Hotel", "2 car park spaces", "10 minutes down the road",
    "1 more street light is out", "3 times round the park", "2 days on the drive", "our 3 bed terrace",
    "5 different avenues to complain", "Top 10 Things", "we have 2 cars on the drive", "2 streets away",
    "at 5 to the hour", "Route 66", "Terminal 5", "Gate 12 Green", "via email 2 times", "Via Email 2 times",
    "No. 1 priority", "in 2019 Oxford Street shops closed",
]


def build_cases(seed: int = 14) -> list[Case]:
    """Every labelled case: identifiers, names, addresses, then the hard negatives."""
    rng = random.Random(seed)
    cases = _identifiers(rng) + _names(rng) + _addresses(rng)
    cases += [Case(t, "negative", (), "negative") for t in NEGATIVES]
    return cases


CASES: list[Case] = build_cases()


# Written after the patterns had been tuned on CASES and measured once before any further change
# (the figures in the issue note): a check that the rules were not fitted to their own test set.
HELD_OUT: list[Case] = [Case(t, "identifier", (s,), k) for t, s, k in [
    ("NI no: ab 12 34 56 c", "ab 12 34 56 c", "nino"), ("my NI is JG103742B", "JG103742B", "nino"),
    ("N.I. number: AB123456C", "AB123456C", "nino"), ("National Insurance Number - CE 55 12 90 B", "CE 55 12 90 B", "nino"),
    ("Nat Ins QQ 12 34 56 C please", "QQ 12 34 56 C", "nino"), ("SSN#123-45-6789", "123-45-6789", "ssn"),
    ("social: 123-45-6789", "123-45-6789", "ssn"), ("SS No. 536-22-8726", "536-22-8726", "ssn"),
    ("ss number 536228726", "536228726", "ssn"), ("iban gb29 nwbk 6016 1331 9268 19", "gb29 nwbk 6016 1331 9268 19", "iban"),
    ("passport: 123456789", "123456789", "passport"), ("my passport is GBR 123456789", "GBR 123456789", "passport"),
    ("licence no MORGA753116SM9IJ", "MORGA753116SM9IJ", "licence"), ("DL number D12345678", "D12345678", "licence"),
    ("NHS 943 476 5919", "943 476 5919", "nhs"), ("visa ending 4111111111111111", "4111111111111111", "card"),
    ("4111-1111-1111-1111 was charged", "4111-1111-1111-1111", "card"), ("07700-900-123 after six", "07700-900-123", "phone"),
    ("+44 (0) 7700 900123", "+44 (0) 7700 900123", "phone"), ("<anna.k@example.org>", "anna.k@example.org", "email"),
]] + [Case(t, "name", (s,), k) for t, s, k in [
    ("I am Sarah Jones, customer since 2010", "Sarah Jones", "introduced"),
    ("Sarah Jones here, still waiting", "Sarah Jones", "introduced"), ("signed Mr T. Smith", "T. Smith", "introduced"),
    ("from: Anna Kowalski", "Anna Kowalski", "introduced"), ("--\nJane Doe\nCustomer #12345", "Jane Doe", "signature"),
    ("Best regards, Dr. Emily Chen", "Emily Chen", "signature"), ("Thanks so much, Ben", "Ben", "signature"),
    ("Kind Regards Alan", "Alan", "signature"), ("the lady on the phone, Janet, was lovely", "Janet", "referred"),
    ("My wife Mary called twice", "Mary", "referred"), ("I'm Aisha and I want to complain", "Aisha", "introduced"),
    ("Contact: Olivia Brown", "Olivia Brown", "introduced"), ("cust name - Raj Patel", "Raj Patel", "introduced"),
    ("Hello, my name is Ms. Fatima Ahmed", "Fatima Ahmed", "introduced"), ("regards\nPeter", "Peter", "signature"),
    ("ask for Dave in sales", "Dave", "referred"), ("Mrs. Okafor rang us", "Okafor", "titled"),
    ("thanks to Siobhan on the phones", "Siobhan", "referred"), ("Cheers, Grzegorz!", "Grzegorz", "signature"),
    ("my son Liam Walsh is the account holder", "Liam Walsh", "referred"),
]] + [Case(t, "address", s, k) for t, s, k in [
    ("Apt 4B, 350 West 57th Street", ("Apt 4B, 350 West 57th Street",), "us"), ("flat 12 kingsway house", ("flat 12 kingsway house",), "uk_street"),
    ("No. 5 Rose Lane", ("5 Rose Lane",), "uk_street"), ("5 Rose Lane, Harrogate HG1 2AB", ("5 Rose Lane", "HG1 2AB"), "uk_full"),
    ("my house at 33 The Crescent", ("33 The Crescent",), "uk_street"),
    ("Unit 7, Riverside Industrial Estate", ("Unit 7, Riverside Industrial Estate",), "uk_street"), ("postcode is m60 2la", ("m60 2la",), "uk_postcode"),
    ("SW1A2AA", ("SW1A2AA",), "uk_postcode"), ("Boston, MA 02108", ("02108",), "us"), ("NY 10001", ("10001",), "us"),
    ("75008 PARIS", ("75008",), "eu"), ("Rotterdam 3011 BD", ("3011 BD",), "eu"), ("1011 AC Amsterdam", ("1011 AC",), "eu"),
    ("D-10117 Berlin-Mitte", ("10117",), "eu"), ("Karl-Marx-Allee 90", ("Karl-Marx-Allee 90",), "eu"),
    ("Prinsengracht 263", ("Prinsengracht 263",), "eu"), ("send to 10 downing st.", ("10 downing st",), "uk_street"),
    ("14, Acacia Avenue", ("14, Acacia Avenue",), "uk_street"), ("I'm at 2 Elm Grove, Leeds", ("2 Elm Grove",), "uk_street"),
    ("Chicago IL 60601", ("60601",), "us"),
]] + [Case(t, "negative", (), "negative") for t in [
    "Order No. 12345 Berlin store", "I rated it 10 out of 10", "Flight UA 1234 to Newark", "the 2022 Champions League",
    "We paid 15000 Yen", "call 999 immediately", "2 x 500 GB drives", "this is Sparta", "I'm Gutted.",
    "Dear Valued Customer,", "It's Christmas", "This is Outrageous!", "Thanks, Regards", "Best Regards", "Cheers Mate",
    "called Sky twice", "spoke to Virgin Media", "rep Customer Care", "manager Approval needed", "Level 3 Building",
    "Zone 2 Travelcard", "the 3 Wise Men", "5 Guys Burger", "I'm Back!", "This is Absurd.", "Hi Support,",
    "spoke to Tech Support", "3 Park Royal stores", "from 2021 Park Lane prices",
]]

# A second fresh set, written and measured once after HELD_OUT had been folded in (the figures in the
# issue note are its first measurement; nothing was tuned on it).
HELD_OUT_2: list[Case] = [Case(t, "identifier", (s,), k) for t, s, k in [
    ("Please stop sending letters with my NI number (SN 12 34 56 A) on them", "SN 12 34 56 A", "nino"),
    ("ni number= AB 65 43 21 D", "AB 65 43 21 D", "nino"), ("NINO:PA277159A", "PA277159A", "nino"),
    ("my national insurance is ZX 98 76 54 D", "ZX 98 76 54 D", "nino"), ("soc sec 123-45-6789", "123-45-6789", "ssn"),
    ("SSN - 457 55 5462", "457 55 5462", "ssn"), ("her social security no 372-41-9283", "372-41-9283", "ssn"),
    ("IBAN NL91 ABNA 0417 1643 00", "NL91 ABNA 0417 1643 00", "iban"),
    ("refund to DE89370400440532013000 asap", "DE89370400440532013000", "iban"),
    ("my bank is FR7630006000011234567890189", "FR7630006000011234567890189", "iban"),
    ("passport GB 123456789", "123456789", "passport"), ("pasport number 123456789", "123456789", "passport"),
    ("NHS no:943-476-5919", "943-476-5919", "nhs"), ("Driving License: SMITH710238JJ9AB", "SMITH710238JJ9AB", "licence"),
    ("tax number 12345678901", "12345678901", "eu_id"), ("BSN: 111222333", "111222333", "eu_id"),
    ("medicare number 2123 45670 1", "2123 45670 1", "eu_id"), ("4012 8888 8888 1881", "4012 8888 8888 1881", "card"),
    ("call me 07911 123456", "07911 123456", "phone"), ("j.doe@example.com is my mail", "j.doe@example.com", "email"),
]] + [Case(t, "name", (s,), k) for t, s, k in [
    ("Hi, I am Kofi Mensah and my bill doubled", "Kofi Mensah", "introduced"),
    ("This is Agnieszka from flat 4", "Agnieszka", "introduced"), ("Name - Tariq Aziz", "Tariq Aziz", "introduced"),
    ("Signed, Eleanor Rigby", "Eleanor Rigby", "signature"), ("Thanks\nMaggie", "Maggie", "signature"),
    ("cheers\nBarney", "Barney", "signature"), ("Yours truly, Hamish MacLeod", "Hamish MacLeod", "signature"),
    ("I rang and Natasha answered", "Natasha", "referred"), ("Ms Adeyemi dealt with it", "Adeyemi", "titled"),
    ("spoke to a guy called Steve", "Steve", "referred"), ("Dear Ruairi,", "Ruairi", "greeting"),
    ("all the best, Viktor", "Viktor", "signature"), ("my daughter Chloe set it up", "Chloe", "referred"),
    ("Regards, Mr. & Mrs. Jenkins", "Jenkins", "signature"),
    ("Thank you to Bernadette at the Leeds branch", "Bernadette", "referred"),
    ("I'm Jo, I rang yesterday", "Jo", "introduced"), ("my name is Fernández", "Fernández", "introduced"),
    ("Best - Ingrid", "Ingrid", "signature"), ("the engineer (Marek) was excellent", "Marek", "referred"),
    ("Lovely service from Aditya", "Aditya", "referred"),
]] + [Case(t, "address", s, k) for t, s, k in [
    ("deliver to 27 Wellington Road, Harrogate HG2 0AB", ("27 Wellington Road", "HG2 0AB"), "uk_full"),
    ("I'm at number 4, Elm Close", ("4, Elm Close",), "uk_street"), ("55 Mount Pleasant Road", ("55 Mount Pleasant Road",), "uk_street"),
    ("the meter at 8 Church St.", ("8 Church St",), "uk_street"),
    ("2/1, 45 Great Western Road, Glasgow G12 8AA", ("45 Great Western Road", "G12 8AA"), "uk_full"),
    ("Flat B, 3 Mill Road", ("3 Mill Road",), "uk_street"), ("postcode: bt7 1nn", ("bt7 1nn",), "uk_postcode"),
    ("PO17 5HA", ("PO17 5HA",), "uk_postcode"), ("E1 6AN is my postcode", ("E1 6AN",), "uk_postcode"),
    ("Seattle, WA 98101", ("98101",), "us"), ("Miami FL 33101-1234", ("33101-1234",), "us"),
    ("55 W 42nd St, New York", ("55 W 42nd St",), "us"), ("Kurfürstendamm 21, 10719 Berlin", ("Kurfürstendamm 21", "10719"), "eu"),
    ("Rue de Rivoli 99, 75001 Paris", ("Rue de Rivoli 99", "75001"), "eu"), ("20095 Hamburg", ("20095",), "eu"),
    ("Keizersgracht 123, 1015 CJ Amsterdam", ("Keizersgracht 123", "1015 CJ"), "eu"),
    ("Avenida da Liberdade 110, 1250-096 Lisboa", ("Avenida da Liberdade 110", "1250-096"), "eu"),
    ("Carrer de Mallorca 401, 08013 Barcelona", ("Carrer de Mallorca 401", "08013"), "eu"),
    ("Ul. Marszałkowska 1, 00-624 Warszawa", ("Marszałkowska 1", "00-624"), "eu"),
    ("22 acacia road", ("22 acacia road",), "uk_street"),
]] + [Case(t, "negative", (), "negative") for t in [
    "the 19:45 train", "rated 2 out of 5", "paid 39.99 for 12 months", "sent 3 emails and 2 letters",
    "Order 55501 Delivered", "case ref. 10001 closed", "I have 3 kids", "the 2nd Floor office", "ages 18-24",
    "my 4G signal", "W10 laptop", "ID 4521 on my badge", "This is Unreal!", "I'm Speechless.", "Hi Everyone,",
    "Regards, Customer", "- Fix this", "Dear Team Leader,", "spoke to Billing", "I am Human", "This is Madness.",
    "called Santander", "Park Lane Hotel", "3 Oak trees", "10 Green Bottles", "2 Church services",
    "Cheers for nothing", "B2B customers", "The A14 road", "M62 J26", "12345 people", "2048 bits", "1998 BMW",
    "12 AB testing runs", "Thanks for the quick fix", "I'm On hold again", "This is Day 3", "Hello?",
]]
