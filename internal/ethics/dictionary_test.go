package ethics

import (
	"testing"

	. "github.com/onsi/gomega"

	ethosv1alpha1 "github.com/ethos-operator/ethos/api/v1alpha1"
)

func TestNormalize(t *testing.T) {
	tests := map[string][]string{
		"IPAddress":           {"ip", "address"},
		"over55":              {"over", "55"},
		"over-55":             {"over", "55"},
		"dateDeNaissance":     {"date", "de", "naissance"},
		"âge":                 {"age"},
		"Staatsangehörigkeit": {"staatsangehorigkeit"},
		"Straße":              {"strasse"},
		"user_Religion.v2":    {"user", "religion", "v", "2"},
		"HTMLParserV2":        {"html", "parser", "v", "2"},
		"":                    {},
		"__":                  {},
	}
	for in, want := range tests {
		t.Run(in, func(t *testing.T) {
			NewWithT(t).Expect(Normalize(in)).To(Equal(want))
		})
	}
}

func TestClassifyName(t *testing.T) {
	S, P := ethosv1alpha1.DataClassSensitive, ethosv1alpha1.DataClassProxy
	tests := []struct {
		name string
		want ethosv1alpha1.DataClass
	}{
		// English
		{"age", S}, {"customerAge", S}, {"birthDate", S}, {"dateOfBirth", S}, {"religion", S}, {"ethnicity", S},
		{"gender", S}, {"sexualOrientation", S}, {"healthCondition", S}, {"isPregnant", S}, {"nationality", S},
		{"tradeUnionMember", S}, {"politicalParty", S}, {"gpsLatitude", S}, {"ssn", S}, {"creditScore", S},
		{"biometricId", S}, {"geneticProfile", S}, {"religions", S},
		{"postalCode", P}, {"zipCode", P}, {"zip", P}, {"IPAddress", P}, {"firstName", P}, {"lastName", P},
		{"language", P}, {"preferredLocale", P}, {"maritalStatus", P}, {"householdIncome", P}, {"shippingAddress", P}, {"spouseName", P},
		// French
		{"âge", S}, {"dateDeNaissance", S}, {"origineEthnique", S}, {"religieux", S}, {"sexe", S}, {"nationalite", S},
		{"santé", S}, {"codePostal", P}, {"prénom", P}, {"langue", P},
		// German
		{"Geschlecht", S}, {"Alter", S}, {"Geburtsdatum", S}, {"religiös", S}, {"Staatsangehörigkeit", S}, {"Gesundheit", S},
		{"Postleitzahl", P}, {"Vorname", P}, {"Familienstand", P}, {"Einkommen", P},
		// Spanish
		{"edad", S}, {"fechaDeNacimiento", S}, {"nacionalidad", S}, {"religión", S}, {"sexo", S}, {"salud", S},
		{"codigoPostal", P}, {"apellido", P}, {"estadoCivil", P}, {"idioma", P},
		// Italian
		{"età", S}, {"dataDiNascita", S}, {"razza", S}, {"religione", S}, {"sesso", S}, {"cittadinanza", S},
		{"codicePostale", P}, {"cognome", P}, {"reddito", P}, {"lingua", P},
		// Portuguese
		{"idade", S}, {"dataDeNascimento", S}, {"raça", S}, {"religião", S}, {"nacionalidade", S}, {"saúde", S},
		{"codigoPostal", P}, {"sobrenome", P}, {"renda", P},
		// Dutch
		{"leeftijd", S}, {"geboortedatum", S}, {"geslacht", S}, {"religie", S}, {"nationaliteit", S}, {"gezondheid", S},
		{"postcode", P}, {"voornaam", P}, {"achternaam", P}, {"inkomen", P}, {"taal", P},
		// False positives that must not match.
		{"page", ""}, {"pageViews", ""}, {"usage", ""}, {"stage", ""}, {"image", ""}, {"message", ""}, {"village", ""},
		{"percentage", ""}, {"agent", ""}, {"userAgent", ""}, {"storage", ""}, {"black", ""}, {"white", ""},
		{"viewedCategories", ""}, {"favouriteSport", ""}, {"cartValue", ""}, {"shoeSize", ""}, {"brand", ""},
		{"emailAddress", ""}, {"streetwear", ""}, {"average", ""}, {"languageless", ""},
		// Ambiguous words without and with their neighbours.
		{"genre", S}, {"musicGenre", ""}, {"genreFilm", ""}, {"bookGenre", ""}, {"genero", S}, {"generoMusical", ""},
		{"race", S}, {"raceDistance", ""}, {"marathonRace", ""}, {"raceFinishTime", ""},
		{"eta", S}, {"deliveryEta", ""}, {"etaParcel", ""}, {"orderETA", ""}, {"etaConsegna", ""},
		// Age brackets in a name are age data; inflections of disability.
		{"over55", S}, {"isUnder18", S}, {"overview", ""}, {"top10Viewed", ""},
		{"handicapé", S}, {"behindert", S}, {"discapacitado", S},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			NewWithT(t).Expect(ClassifyName(tt.name).Class).To(Equal(tt.want))
		})
	}
}

func TestClassifyValue(t *testing.T) {
	tests := []struct {
		value, attribute string
		sensitive        bool
	}{
		{"muslim", "interests", true}, {"Christian", "interests", true}, {"pregnant", "tags", true}, {"LGBT", "tags", true},
		{"seniors", "segment", true}, {"over-55", "segment", true}, {"over55", "segment", true}, {"diabetes", "tags", true},
		{"wheelchair", "tags", true}, {"hispanic", "segment", true}, {"immigrant", "segment", true}, {"religion", "topics", true},
		{"musulman", "centresInteret", true}, {"schwanger", "tags", true}, {"embarazada", "tags", true},
		{"race", "interests", true}, {"race", "raceType", false}, {"genre", "music", false}, {"genre", "topics", true},
		{"black", "colour", false}, {"white", "colour", false}, {"running", "viewedCategories", false},
		{"trail", "viewedCategories", false}, {"size-42", "size", false}, {"55", "shoeSize", false}, {"women", "department", false},
		{"straight", "interests", true}, {"straight-leg jeans", "interests", false},
	}
	for _, tt := range tests {
		t.Run(tt.value+"/"+tt.attribute, func(t *testing.T) {
			got := ClassifyValue(tt.value, tt.attribute).Class == ethosv1alpha1.DataClassSensitive
			NewWithT(t).Expect(got).To(Equal(tt.sensitive))
		})
	}
}
