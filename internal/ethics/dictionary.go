/*
Copyright 2026 The Ethos Authors.

Licensed under the Apache License, Version 2.0 (the "License");
you may not use this file except in compliance with the License.
You may obtain a copy of the License at

    http://www.apache.org/licenses/LICENSE-2.0

Unless required by applicable law or agreed to in writing, software
distributed under the License is distributed on an "AS IS" BASIS,
WITHOUT WARRANTIES OR CONDITIONS OF ANY KIND, either express or implied.
See the License for the specific language governing permissions and
limitations under the License.
*/

package ethics

import (
	"strings"
	"sync"
	"sync/atomic"

	ethosv1alpha1 "github.com/ethos-operator/ethos/api/v1alpha1"
)

// TermGroup is one category of the built-in dictionary (SPEC §3) with its terms in English,
// French, German, Spanish, Italian, Portuguese and Dutch. Terms are written as people write
// names; they are normalised like attribute names when the dictionary is built, and a
// multi-word term also matches its words run together (date of birth → dateofbirth).
type TermGroup struct {
	Category string
	Class    ethosv1alpha1.DataClass
	Terms    []string
}

// Neighbours lists the words that take an ambiguous term out of a sensitive category when
// another word of the same name (or, for a rule value, of the value or its attribute) is one
// of them: "musicGenre" is a media genre, "genre" alone is French for gender.
type Neighbours struct {
	Term  string
	Means string
	Words []string
}

// SensitiveGroups are the sensitive categories: GDPR Art. 9, CPRA sensitive personal
// information, plus age and gender.
var SensitiveGroups = []TermGroup{
	{Category: "racial or ethnic origin", Class: ethosv1alpha1.DataClassSensitive, Terms: []string{
		"race", "racial", "raciale", "ethnic", "ethnicity", "ethnic origin", "ethnic group", "skin colour", "skin color",
		"ethnique", "ethnie", "origine ethnique", "origine raciale",
		"ethnisch", "ethnische", "ethnizität", "Rasse", "ethnische Herkunft", "Hautfarbe",
		"etnia", "étnico", "étnica", "raza", "origen étnico", "origen racial",
		"etnico", "etnica", "razza", "origine etnica",
		"raça", "origem étnica", "cor da pele",
		"etniciteit", "etnisch", "etnische", "afkomst", "huidskleur",
	}},
	{Category: "religion or beliefs", Class: ethosv1alpha1.DataClassSensitive, Terms: []string{
		"religion", "religious", "religiosity", "faith", "belief", "beliefs", "denomination", "church",
		"religieux", "religieuse", "croyance", "confession religieuse",
		"religiös", "religiöse", "Religionszugehörigkeit", "Konfession", "Glaube", "Glaubensrichtung",
		"religión", "religioso", "religiosa", "creencia", "creencias",
		"religione", "fede", "credo religioso",
		"religião", "crença", "crenças",
		"religie", "religieus", "religieuze", "geloof", "levensbeschouwing", "kerkgenootschap",
	}},
	{Category: "political opinion", Class: ethosv1alpha1.DataClassSensitive, Terms: []string{
		"political", "politics", "political opinion", "political party", "party affiliation", "ideology", "voting intention",
		"opinion politique", "orientation politique", "parti politique", "idéologie", "opinions politiques",
		"politisch", "politische", "politische Meinung", "Parteizugehörigkeit", "Ideologie",
		"opinión política", "afiliación política", "partido político", "ideología",
		"opinione politica", "orientamento politico", "partito politico",
		"opinião política", "orientação política",
		"politiek", "politieke", "politieke voorkeur", "partijvoorkeur",
	}},
	{Category: "trade-union membership", Class: ethosv1alpha1.DataClassSensitive, Terms: []string{
		"trade union", "union member", "union membership", "labor union", "labour union",
		"syndicat", "syndical", "syndicale", "syndiqué",
		"Gewerkschaft", "Gewerkschaftsmitglied", "Gewerkschaftszugehörigkeit",
		"sindicato", "sindical", "afiliación sindical",
		"sindacato", "sindacale", "iscrizione sindacale",
		"filiação sindical",
		"vakbond", "vakbondslid", "vakbondslidmaatschap",
	}},
	{Category: "health", Class: ethosv1alpha1.DataClassSensitive, Terms: []string{
		"health", "medical", "diagnosis", "disability", "disabled", "pregnancy", "pregnant", "illness", "disease",
		"medication", "chronic condition", "mental health",
		"santé", "médical", "médicale", "handicap", "handicapé", "handicapée", "grossesse", "enceinte", "maladie",
		"Gesundheit", "Gesundheitszustand", "Behinderung", "behindert", "Schwangerschaft", "schwanger", "Krankheit", "medizinisch",
		"salud", "discapacidad", "discapacitado", "discapacitada", "embarazo", "embarazada", "enfermedad", "médico", "médica",
		"salute", "disabilità", "disabile", "gravidanza", "incinta", "malattia",
		"saúde", "deficiência", "deficiente", "gravidez", "grávida", "doença",
		"gezondheid", "handicap", "gehandicapt", "beperking", "zwanger", "zwangerschap", "ziekte", "medisch", "medische",
	}},
	{Category: "sex life or sexual orientation", Class: ethosv1alpha1.DataClassSensitive, Terms: []string{
		"sexual", "sexuality", "sexual orientation", "sex life", "sexual preference",
		"sexuel", "sexuelle", "orientation sexuelle", "sexualité",
		"sexuell", "sexuelle Orientierung", "Sexualität",
		"sexualidad", "orientación sexual",
		"sessuale", "sessualità", "orientamento sessuale",
		"sexualidade", "orientação sexual",
		"seksueel", "seksuele", "seksualiteit", "seksuele geaardheid", "geaardheid",
	}},
	{Category: "gender or sex", Class: ethosv1alpha1.DataClassSensitive, Terms: []string{
		"gender", "sex", "gender identity",
		"genre", "sexe", "identité de genre",
		"Geschlecht", "Geschlechtsidentität",
		"sexo", "género", "identidad de género",
		"sesso", "genere", "identità di genere",
		"gênero", "identidade de gênero",
		"geslacht", "genderidentiteit",
	}},
	{Category: "age or birth date", Class: ethosv1alpha1.DataClassSensitive, Terms: []string{
		"age", "birth date", "birthdate", "date of birth", "dob", "birthday", "birth year", "year of birth", "age group", "age range",
		"âge", "date de naissance", "année de naissance", "tranche d'âge",
		"Alter", "Geburtsdatum", "Geburtsjahr", "Geburtstag", "Altersgruppe",
		"edad", "fecha de nacimiento", "año de nacimiento", "rango de edad",
		"età", "data di nascita", "anno di nascita", "fascia d'età",
		"idade", "data de nascimento", "ano de nascimento", "faixa etária",
		"leeftijd", "geboortedatum", "geboortejaar", "verjaardag", "leeftijdsgroep",
	}},
	{Category: "genetic data", Class: ethosv1alpha1.DataClassSensitive, Terms: []string{
		"genetic", "genetics", "dna", "genome", "genotype",
		"génétique", "genetisch", "genetische", "genético", "genética", "genetico", "genetica", "genoma",
	}},
	{Category: "biometric data", Class: ethosv1alpha1.DataClassSensitive, Terms: []string{
		"biometric", "biometrics", "fingerprint", "face id", "facial recognition", "face print", "voiceprint",
		"biométrique", "empreinte digitale", "biometrisch", "biometrische", "Fingerabdruck",
		"biométrico", "biométrica", "huella dactilar", "biometrico", "biometrica", "impronta digitale",
		"biometria", "impressão digital", "vingerafdruk",
	}},
	{Category: "national origin, nationality, citizenship or immigration status", Class: ethosv1alpha1.DataClassSensitive, Terms: []string{
		"nationality", "citizenship", "national origin", "immigration", "immigration status", "visa status",
		"country of birth", "birth country", "birthplace", "place of birth", "residency status",
		"nationalité", "citoyenneté", "pays de naissance", "lieu de naissance", "titre de séjour",
		"Staatsangehörigkeit", "Nationalität", "Staatsbürgerschaft", "Einwanderung", "Migrationshintergrund", "Geburtsort", "Geburtsland", "Aufenthaltsstatus",
		"nacionalidad", "ciudadanía", "inmigración", "país de nacimiento", "lugar de nacimiento",
		"nazionalità", "cittadinanza", "immigrazione", "luogo di nascita", "paese di nascita",
		"nacionalidade", "cidadania", "imigração", "naturalidade", "local de nascimento",
		"nationaliteit", "staatsburgerschap", "immigratie", "geboorteland", "geboorteplaats", "verblijfsstatus",
	}},
	{Category: "precise geolocation", Class: ethosv1alpha1.DataClassSensitive, Terms: []string{
		"geolocation", "gps", "latitude", "longitude", "precise location", "geo coordinates", "gps coordinates", "lat long", "lat lng",
		"géolocalisation", "coordonnées gps", "Geolokalisierung", "Breitengrad", "Längengrad", "GPS-Koordinaten",
		"geolocalización", "latitud", "longitud", "geolocalizzazione", "latitudine", "longitudine",
		"geolocalização", "geolocatie", "breedtegraad", "lengtegraad",
	}},
	{Category: "government identifier", Class: ethosv1alpha1.DataClassSensitive, Terms: []string{
		"ssn", "social security", "social security number", "passport", "passport number", "national id", "national identity",
		"driver license", "drivers license", "driving licence", "tax id", "government id",
		"numéro de sécurité sociale", "sécurité sociale", "passeport", "carte d'identité", "numéro fiscal",
		"Personalausweis", "Sozialversicherungsnummer", "Reisepass", "Steuer-ID", "Steueridentifikationsnummer", "Führerschein",
		"dni", "pasaporte", "seguridad social", "número de identidad", "documento de identidad",
		"codice fiscale", "passaporto", "carta d'identità", "patente di guida",
		"cpf", "passaporte", "número de identificação", "carteira de identidade", "carteira de motorista",
		"bsn", "burgerservicenummer", "paspoort", "rijbewijs", "identiteitsbewijs",
	}},
	{Category: "financial account", Class: ethosv1alpha1.DataClassSensitive, Terms: []string{
		"bank account", "account number", "iban", "credit card", "card number", "credit score", "routing number",
		"compte bancaire", "carte bancaire", "numéro de carte", "carte de crédit",
		"Bankverbindung", "Kontonummer", "Kreditkarte", "Bankkonto", "Kreditkartennummer", "Schufa",
		"cuenta bancaria", "tarjeta de crédito", "número de cuenta", "número de tarjeta",
		"conto corrente", "carta di credito", "conto bancario",
		"conta bancária", "cartão de crédito", "número do cartão",
		"bankrekening", "rekeningnummer", "creditcard", "creditcardnummer",
	}},
}

// ProxyGroups are attributes that stand in for a sensitive category (SPEC §3).
var ProxyGroups = []TermGroup{
	{Category: "postal code", Class: ethosv1alpha1.DataClassProxy, Terms: []string{
		"postal code", "postcode", "zip", "zip code", "postal", "post code",
		"code postal", "Postleitzahl", "PLZ", "código postal", "codice postale", "cep", "postcode",
	}},
	{Category: "street address", Class: ethosv1alpha1.DataClassProxy, Terms: []string{
		"address", "street address", "home address", "address line", "shipping address", "billing address",
		"adresse", "adresse postale", "Anschrift", "Wohnort", "Wohnadresse",
		"dirección", "domicilio", "indirizzo", "residenza", "endereço", "morada", "adres", "woonplaats",
	}},
	{Category: "first name", Class: ethosv1alpha1.DataClassProxy, Terms: []string{
		"first name", "firstname", "given name", "forename",
		"prénom", "Vorname", "nombre de pila", "primer nombre", "nome proprio", "primeiro nome", "voornaam",
	}},
	{Category: "last name", Class: ethosv1alpha1.DataClassProxy, Terms: []string{
		"last name", "lastname", "surname", "family name", "maiden name",
		"nom de famille", "Nachname", "Familienname", "apellido", "apellidos", "cognome", "sobrenome", "apelido", "achternaam",
	}},
	{Category: "spouse or partner name", Class: ethosv1alpha1.DataClassProxy, Terms: []string{
		"spouse", "spouse name", "partner name", "life partner", "husband", "wife",
		"conjoint", "conjointe", "époux", "épouse", "Ehepartner", "Ehemann", "Ehefrau", "Lebenspartner",
		"cónyuge", "esposo", "esposa", "coniuge", "marito", "moglie", "cônjuge", "marido", "echtgenoot", "echtgenote",
	}},
	{Category: "language or locale", Class: ethosv1alpha1.DataClassProxy, Terms: []string{
		"language", "locale", "mother tongue", "native language",
		"langue", "langue maternelle", "Sprache", "Muttersprache", "idioma", "lengua materna", "lingua", "lingua madre",
		"língua", "taal", "moedertaal",
	}},
	{Category: "IP address", Class: ethosv1alpha1.DataClassProxy, Terms: []string{
		"ip", "ip address", "ipv4", "ipv6", "remote addr", "adresse ip", "IP-Adresse", "dirección ip", "indirizzo ip", "endereço ip", "ip adres",
	}},
	{Category: "marital status", Class: ethosv1alpha1.DataClassProxy, Terms: []string{
		"marital status", "marital", "married", "relationship status", "civil status",
		"situation familiale", "état civil", "situation matrimoniale", "Familienstand", "verheiratet",
		"estado civil", "casado", "casada", "stato civile", "sposato", "sposata", "burgerlijke staat", "getrouwd", "gehuwd",
	}},
	{Category: "household income", Class: ethosv1alpha1.DataClassProxy, Terms: []string{
		"household income", "income", "salary", "wealth", "net worth",
		"revenu", "revenus", "salaire", "revenu du foyer", "Einkommen", "Haushaltseinkommen", "Gehalt",
		"ingresos", "salario", "renta", "reddito", "stipendio", "renda", "rendimento", "salário", "inkomen", "salaris", "huishoudinkomen",
	}},
}

// ValueGroups are words that, as a rule value, target or infer a sensitive category (SPEC §3
// "sensitive values"). The sensitive terms of SensitiveGroups apply to values too. Colours
// and product words (black, white) are deliberately absent.
var ValueGroups = []TermGroup{
	{Category: "religion or beliefs", Class: ethosv1alpha1.DataClassSensitive, Terms: []string{
		"muslim", "muslims", "islam", "islamic", "christian", "christians", "catholic", "protestant", "evangelical",
		"jewish", "jew", "jews", "hindu", "buddhist", "sikh", "atheist", "mormon", "halal", "kosher", "ramadan",
		"musulman", "musulmane", "chrétien", "chrétienne", "catholique", "juif", "juive", "athée",
		"Muslim", "Christ", "christlich", "katholisch", "evangelisch", "jüdisch", "Jude",
		"musulmán", "cristiano", "cristiana", "católico", "judío", "judía",
		"musulmano", "cristiano", "cattolico", "ebreo", "ebraico",
		"muçulmano", "cristão", "católico", "judeu",
		"moslim", "islamitisch", "christelijk", "katholiek", "joods",
	}},
	{Category: "health", Class: ethosv1alpha1.DataClassSensitive, Terms: []string{
		"diabetes", "diabetic", "cancer", "hiv", "asthma", "depression", "anxiety", "adhd", "autism", "wheelchair",
		"obese", "obesity", "pregnant", "expecting mother", "infertility", "ivf", "dementia", "alzheimer",
		"diabète", "diabétique", "fauteuil roulant", "Rollstuhl", "Diabetiker", "silla de ruedas", "diabético",
		"sedia a rotelle", "diabetico", "cadeira de rodas", "rolstoel", "diabetes patiënt",
	}},
	{Category: "sex life or sexual orientation", Class: ethosv1alpha1.DataClassSensitive, Terms: []string{
		"lgbt", "lgbtq", "lgbtqia", "gay", "lesbian", "bisexual", "transgender", "queer", "homosexual", "heterosexual", "straight",
		"homosexuel", "homosexuelle", "lesbienne", "homosexuell", "lesbisch", "schwul", "homosexual", "lesbiana",
		"omosessuale", "lesbica", "lésbica", "homoseksueel", "lesbienne",
	}},
	{Category: "age", Class: ethosv1alpha1.DataClassSensitive, Terms: []string{
		"seniors", "senior citizens", "elderly", "pensioner", "pensioners", "retiree", "retirees", "teen", "teens", "teenager", "teenagers",
		"minors", "millennials", "gen z", "boomers", "baby boomers", "young adults",
		"retraités", "personnes âgées", "Rentner", "Senioren", "jubilados", "tercera edad", "anziani", "pensionati",
		"idosos", "aposentados", "ouderen", "gepensioneerden", "bejaarden",
	}},
	{Category: "racial or ethnic origin", Class: ethosv1alpha1.DataClassSensitive, Terms: []string{
		"hispanic", "latino", "latina", "latinx", "african american", "caucasian", "asian american", "arab",
		"hispanique", "maghrébin", "arabe", "hispano", "afroamericano", "afrodescendente", "allochtoon",
	}},
	{Category: "national origin or immigration status", Class: ethosv1alpha1.DataClassSensitive, Terms: []string{
		"immigrant", "immigrants", "migrant", "migrants", "refugee", "refugees", "undocumented", "asylum seeker", "expat", "expats",
		"immigré", "réfugié", "sans papiers", "Einwanderer", "Flüchtling", "Migrant", "inmigrante", "refugiado",
		"immigrato", "rifugiato", "imigrante", "refugiado", "immigrant", "vluchteling", "asielzoeker",
	}},
	{Category: "political opinion", Class: ethosv1alpha1.DataClassSensitive, Terms: []string{
		"democrat", "republican", "socialist", "communist", "far right", "far left",
	}},
}

// AmbiguousTerms are sensitive unless a neighbour word places them elsewhere (SPEC §3).
// Keep these lists generous: a missed neighbour denies a legitimate campaign with a message
// that says how to rename the attribute, which is a cheap mistake; a missing sensitive term
// is not.
var AmbiguousTerms = []Neighbours{
	{Term: "genre", Means: "gender (French)", Words: mediaWords},
	{Term: "genero", Means: "gender (Spanish, Portuguese)", Words: mediaWords},
	{Term: "genere", Means: "gender (Italian)", Words: mediaWords},
	{Term: "race", Means: "racial or ethnic origin", Words: raceSportWords},
	{Term: "eta", Means: "age (Italian)", Words: deliveryWords},
	{Term: "address", Means: "street address", Words: []string{"email", "mail", "e", "web", "url", "mac", "wallet", "contract", "memory"}},
	{Term: "adresse", Means: "street address", Words: []string{"email", "mail", "e", "web", "url", "mac"}},
	{Term: "adres", Means: "street address", Words: []string{"email", "mail", "e", "web", "url"}},
	{Term: "straight", Means: "sexual orientation", Words: []string{"leg", "fit", "cut", "jeans", "pants", "trousers", "hair", "line", "edge"}},
}

var mediaWords = []string{
	"music", "musical", "song", "songs", "album", "albums", "artist", "artists", "band", "track", "tracks", "playlist", "radio", "audio",
	"film", "films", "movie", "movies", "cinema", "tv", "series", "show", "shows", "video", "videos", "streaming", "anime", "cartoon",
	"book", "books", "novel", "novels", "fiction", "literary", "literature", "comic", "comics", "manga", "magazine", "reading",
	"game", "games", "gaming", "podcast", "podcasts", "media", "content", "art", "style", "theatre", "theater", "dance", "story",
	"musique", "chanson", "livre", "livres", "jeu", "jeux", "litteraire", "litterature", "bd", "serie",
	"musik", "lied", "buch", "bucher", "spiel", "spiele", "literatur", "roman",
	"musica", "cancion", "pelicula", "peliculas", "libro", "libros", "juego", "juegos", "literario", "literaria",
	"canzone", "libri", "gioco", "giochi", "letterario", "letteraria",
	"cancao", "livro", "livros", "jogo", "jogos", "filme", "filmes",
	"muziek", "boek", "boeken", "spel", "spellen", "literair",
}

var raceSportWords = []string{
	"distance", "time", "times", "finish", "pace", "marathon", "half", "event", "events", "run", "running", "runner", "trail", "road",
	"bike", "cycling", "car", "cars", "horse", "horses", "boat", "day", "date", "type", "category", "result", "results", "course",
	"rank", "ranking", "split", "splits", "entry", "registration", "series", "team", "start", "track", "swim", "triathlon", "ultra",
	"k", "km", "mile", "miles", "length", "duration", "calendar", "lap", "laps", "bib", "number", "kit", "shoe", "shoes", "fuel",
	"training", "plan", "goal", "level", "season", "sprint", "relay", "stage", "grand", "prix", "f1", "motor", "kart", "sim",
	"course", "temps", "zeit", "tiempo", "tempo", "carrera", "corsa", "corrida", "wedstrijd",
}

var deliveryWords = []string{
	"delivery", "deliveries", "parcel", "package", "shipping", "shipment", "arrival", "order", "orders", "courier", "driver",
	"truck", "estimated", "estimate", "transit", "dispatch", "minutes", "min", "hours", "days", "time", "date", "pickup", "eta",
	"livraison", "colis", "commande", "lieferung", "paket", "bestellung", "ankunft", "entrega", "paquete", "pedido", "llegada",
	"consegna", "pacco", "ordine", "spedizione", "arrivo", "encomenda", "pacote", "chegada", "levering", "pakket", "bestelling",
	"aankomst", "bezorging",
}

// entry is one dictionary term.
type entry struct {
	class      ethosv1alpha1.DataClass
	category   string
	term       string   // the normalised term as matched
	neighbours []string // ambiguous terms only: normalised neighbour words
}

// dictionary maps normalised terms (words joined by single spaces) to entries.
type dictionary struct {
	terms  map[string]entry
	maxLen int // most words in one term
}

var (
	// names classifies attribute names: sensitive and proxy terms.
	names = newDictionary(append(append([]TermGroup{}, SensitiveGroups...), ProxyGroups...))
	// values classifies rule values: sensitive terms and sensitive value terms.
	values = newDictionary(append(append([]TermGroup{}, SensitiveGroups...), ValueGroups...))
)

func newDictionary(groups []TermGroup) *dictionary {
	d := &dictionary{terms: map[string]entry{}}
	amb := map[string][]string{}
	for _, a := range AmbiguousTerms {
		var ws []string
		for _, w := range a.Words {
			ws = append(ws, normalize(w).text)
		}
		amb[normalize(a.Term).text] = ws
	}
	add := func(key string, e entry) {
		// The first (most specific, highest) class wins for a term listed twice.
		if old, ok := d.terms[key]; ok && rank(old.class) >= rank(e.class) {
			return
		}
		d.terms[key] = e
	}
	for _, g := range groups {
		for _, t := range g.Terms {
			w := normalize(t)
			if w.len() == 0 {
				continue
			}
			e := entry{class: g.Class, category: g.Category, term: w.text, neighbours: amb[w.text]}
			add(w.text, e)
			d.maxLen = max(d.maxLen, w.len())
			if w.len() > 1 {
				joined := strings.ReplaceAll(w.text, " ", "")
				e.term = joined
				add(joined, e)
			}
		}
	}
	return d
}

// match is a dictionary hit in a name or value.
type match struct {
	entry
	found bool
}

// lookup returns the highest-class term found in w, matching whole words or word sequences
// (longest first), never substrings. context holds extra neighbour words (for a rule value,
// its attribute's name).
func (d *dictionary) lookup(w words, context words) match {
	var best match
	n := w.len()
	for i := 0; i < n; {
		step := 1
		for l := min(d.maxLen, n-i); l >= 1; l-- {
			key := w.seq(i, l)
			e, ok := d.terms[key]
			if !ok && l == 1 && len(key) > 3 && key[len(key)-1] == 's' {
				e, ok = d.terms[key[:len(key)-1]] // plural: religions, ages
			}
			if !ok || (e.neighbours != nil && (hasNeighbour(w, i, l, e.neighbours) || hasNeighbour(context, -1, 0, e.neighbours))) {
				continue
			}
			if !best.found || rank(e.class) > rank(best.class) {
				best = match{entry: e, found: true}
			}
			step = l
			break
		}
		i += step
	}
	return best
}

// hasNeighbour reports whether a word of w outside [skip, skip+n) is one of neighbours.
func hasNeighbour(w words, skip, n int, neighbours []string) bool {
	for j := 0; j < w.len(); j++ {
		if j >= skip && j < skip+n {
			continue
		}
		word := w.word(j)
		for _, nb := range neighbours {
			if word == nb {
				return true
			}
		}
	}
	return false
}

// Classification is what the dictionary knows about a name or value.
type Classification struct {
	// Class is Sensitive or Proxy; empty when the dictionary does not know the name.
	Class ethosv1alpha1.DataClass
	// Category is the sensitive category or proxy kind, such as "age or birth date".
	Category string
	// Term is the normalised dictionary term that matched.
	Term string
}

// ClassifyName classifies an attribute name with the built-in dictionary (SPEC §3).
func ClassifyName(name string) Classification {
	return classifyName(normalize(name))
}

func classifyName(w words) Classification {
	if m := names.lookup(w, words{}); m.found {
		return Classification{Class: m.class, Category: m.category, Term: m.term}
	}
	// A name such as over55 or isUnder18 holds an age bracket: age data under another name.
	if t, ok := ageBracket(w); ok {
		return Classification{Class: ethosv1alpha1.DataClassSensitive, Category: "age or birth date", Term: t}
	}
	return Classification{}
}

// ClassifyValue reports whether a rule value names or infers a sensitive category; attribute
// is the rule's attribute, whose words count as neighbours for ambiguous terms.
func ClassifyValue(value, attribute string) Classification {
	return classifyValue(normalize(value), normalize(attribute))
}

func classifyValue(v, attr words) Classification {
	if m := values.lookup(v, attr); m.found {
		return Classification{Class: m.class, Category: m.category, Term: m.term}
	}
	if t, ok := ageBracket(v); ok {
		return Classification{Class: ethosv1alpha1.DataClassSensitive, Category: "age", Term: t}
	}
	return Classification{}
}

// classCache memoises classifications: the same attribute names and rule values come back
// on every admission and every controller re-check, and normalising them is most of the
// engine's cost. It is bounded (classCacheMax entries per cache; past that, results are
// computed and not stored) so names chosen by users cannot grow it without limit.
type classCache struct {
	m sync.Map // key → cachedClass
	n atomic.Int32
}

// classCacheMax bounds each cache: far more distinct names and values than a cluster holds.
const classCacheMax = 8192

// cachedClass is a cached normalisation and its classification. words is shared read-only.
type cachedClass struct {
	words words
	class Classification
}

// valueKey identifies a rule value in the context of its rule's attribute (its neighbours).
type valueKey struct{ value, attribute string }

var (
	nameCache  classCache
	valueCache classCache
)

// get returns the cached entry for key, computing and (while there is room) storing it.
func (c *classCache) get(key any, compute func() cachedClass) cachedClass {
	if v, ok := c.m.Load(key); ok {
		return v.(cachedClass)
	}
	v := compute()
	if c.n.Load() < classCacheMax {
		if _, loaded := c.m.LoadOrStore(key, v); !loaded {
			c.n.Add(1)
		}
	}
	return v
}

// cachedName normalises and classifies an attribute name, once per distinct name.
func cachedName(name string) cachedClass {
	return nameCache.get(name, func() cachedClass {
		w := normalize(name)
		return cachedClass{words: w, class: classifyName(w)}
	})
}

// cachedValue classifies a rule value next to its attribute, once per distinct pair.
func cachedValue(value string, attr *attribute) Classification {
	return valueCache.get(valueKey{value, attr.name}, func() cachedClass {
		return cachedClass{class: classifyValue(normalize(value), attr.words)}
	}).class
}

// ageWords precede a number in an age bracket: "over 55", "plus de 60", "über 65".
var ageWords = map[string]bool{
	"over": true, "under": true, "above": true, "below": true, "older": true, "younger": true, "aged": true,
	"plus": true, "moins": true, "uber": true, "unter": true, "mas": true, "menos": true, "mayores": true,
	"oltre": true, "sotto": true, "mais": true, "acima": true, "boven": true, "onder": true, "ouder": true,
}

// ageBracket finds "<age word> <number>" in a value, such as "over-55" or "over55".
func ageBracket(v words) (string, bool) {
	for i := 0; i+1 < v.len(); i++ {
		if ageWords[v.word(i)] && isDigits(v.word(i+1)) {
			return v.seq(i, 2), true
		}
	}
	return "", false
}

func isDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return s != ""
}

// rank orders classes: Behavioral = Preference = Contextual < Demographic < Proxy < Sensitive.
// An empty (unknown) class ranks lowest.
func rank(c ethosv1alpha1.DataClass) int {
	switch c {
	case ethosv1alpha1.DataClassBehavioral, ethosv1alpha1.DataClassPreference, ethosv1alpha1.DataClassContextual:
		return 1
	case ethosv1alpha1.DataClassDemographic:
		return 2
	case ethosv1alpha1.DataClassProxy:
		return 3
	case ethosv1alpha1.DataClassSensitive:
		return 4
	}
	return 0
}
