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

package evaluator

import (
	"testing"

	. "github.com/onsi/gomega"

	ethosv1alpha1 "github.com/ethos-operator/ethos/api/v1alpha1"
	"github.com/ethos-operator/ethos/internal/engine/document"
	"github.com/ethos-operator/ethos/internal/engine/wire"
	"github.com/ethos-operator/ethos/internal/enginetest"
)

const (
	frenchTrail = "Nous vous montrons ceci en raison de : les sports que vous avez consultés, pour choisir la bannière ; " +
		"votre code postal, pour afficher votre magasin le plus proche. " +
		"Finalité : Nous utilisons les produits que vous consultez pour vous en suggérer d'autres."
	englishTrail = "We showed this because of: " + sportsText + "; " + postalText + ". " + purposeSentenceText
)

// translated gives the fixture's dataUsage and purpose French translations, and German ones
// for viewedCategories and the purpose only (postalCode has none).
func translatedFixture() (*ethosv1alpha1.Campaign, *ethosv1alpha1.ConsentPolicy) {
	c, p := fixtureCampaign(), fixturePolicy()
	c.Spec.DataUsage[0].DescriptionTranslations = map[string]string{
		"fr": "Les sports que vous avez consultés, pour choisir la bannière",
		"de": "Die Sportarten, die Sie angesehen haben, für das Banner"}
	c.Spec.DataUsage[1].DescriptionTranslations = map[string]string{
		"fr": "Votre code postal, pour afficher votre magasin le plus proche"}
	p.Spec.Purposes[0].DescriptionTranslations = map[string]string{
		"fr": "Nous utilisons les produits que vous consultez pour vous en suggérer d'autres.",
		"de": "Wir nutzen die Produkte, die Sie ansehen, um Ihnen weitere vorzuschlagen."}
	return c, p
}

func TestExplanationLanguage(t *testing.T) {
	tests := []struct {
		name    string
		locale  string
		request func(r *wire.Request)
		purpose map[string]string // replaces the purpose's translations when set
		want    string
	}{
		{name: "French visitor, everything translated", locale: "fr", want: frenchTrail},
		{name: "region subtag", locale: "fr-CH", want: frenchTrail},
		{name: "no locale: English", want: englishTrail},
		{name: "unsupported locale: English", locale: "ja", want: englishTrail},
		{name: "explicit en: English", locale: "en-GB", want: englishTrail},
		// postalCode has no German text: the whole explanation is English, never a German
		// sentence around an English description.
		{name: "German, one attribute untranslated: all English", locale: "de", want: englishTrail},
		// Without a postal code in the request, the explanation names only what German has.
		{name: "German, the untranslated attribute not read", locale: "de",
			request: func(r *wire.Request) { delete(r.Attributes, "postalCode") },
			want: "Wir zeigen Ihnen dies aufgrund von: Die Sportarten, die Sie angesehen haben, für das Banner. " +
				"Zweck: Wir nutzen die Produkte, die Sie ansehen, um Ihnen weitere vorzuschlagen."},
		{name: "French, purpose untranslated: all English", locale: "fr", purpose: map[string]string{"de": "Wir schlagen Produkte vor."},
			want: englishTrail},
		{name: "history wording is translated too", locale: "fr",
			request: func(r *wire.Request) {
				r.History.Purchased = []wire.ItemID{"sku-2"}
				r.Candidates = []wire.Candidate{{ID: "sku-1", Categories: []string{"trail"}}, {ID: "sku-2", Categories: []string{"trail"}}}
			},
			want: "Nous vous montrons ceci en raison de : les sports que vous avez consultés, pour choisir la bannière ; " +
				"votre code postal, pour afficher votre magasin le plus proche ; ce que vous avez déjà acheté, pour ne pas vous le proposer à nouveau. " +
				"Finalité : Nous utilisons les produits que vous consultez pour vous en suggérer d'autres."},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			g := NewWithT(t)
			c, p := translatedFixture()
			if tt.purpose != nil {
				p.Spec.Purposes[0].DescriptionTranslations = tt.purpose
			}
			e := mustEngine(c, p, true)
			r := baseRequest()
			r.Locale = tt.locale
			if tt.request != nil {
				tt.request(r)
			}
			a := e.Decide(r, now)
			g.Expect(a.Reason).To(Equal(wire.ReasonMatched))
			g.Expect(a.Explanation).To(Equal(tt.want))
		})
	}
}

func TestNeutralExplanationLanguage(t *testing.T) {
	c, p := translatedFixture()
	e := mustEngine(c, p, true)
	blocked := mustEngine(c, p, false)
	want := map[string]string{
		"":   wire.NeutralExplanation,
		"fr": "Ceci est notre contenu standard, présenté à toute personne qui ne voit pas de contenu personnalisé. Il n'a pas été choisi à partir d'informations vous concernant.",
		"de": "Dies ist unser Standardinhalt, der allen angezeigt wird, die keine personalisierten Inhalte sehen. Er wurde nicht anhand von Informationen über Sie ausgewählt.",
		"es": "Este es nuestro contenido estándar, que se muestra a todas las personas que no ven contenido personalizado. No se eligió usando información sobre usted.",
		"it": "Questo è il nostro contenuto standard, mostrato a chiunque non veda contenuti personalizzati. Non è stato scelto usando informazioni su di te.",
		"pt": "Este é o nosso conteúdo padrão, exibido a todas as pessoas que não veem conteúdo personalizado. Não foi escolhido com base em informações sobre você.",
		"nl": "Dit is onze standaardinhoud, getoond aan iedereen die geen gepersonaliseerde inhoud ziet. Deze is niet gekozen op basis van informatie over u.",
	}
	for locale, text := range want {
		t.Run(locale, func(t *testing.T) {
			g := NewWithT(t)
			for _, edit := range []func(r *wire.Request){
				func(r *wire.Request) { r.Consent = wire.Consent{} },                       // ConsentUnknown
				func(r *wire.Request) { r.Consent.Purposes["personalization"] = "denied" }, // ConsentDenied
				func(r *wire.Request) { r.Visitor.ID = controlVisitor },                    // ControlGroup
				func(r *wire.Request) { r.Zone = "footer" },                                // ZoneNotServed
				func(r *wire.Request) { r.Impressions = 99 },                               // FrequencyCapped
				func(r *wire.Request) { r.Attributes["viewedCategories"] = wire.Value{} },  // NotInAudience
			} {
				r := baseRequest()
				r.Locale = locale
				edit(r)
				a := e.Decide(r, now)
				g.Expect(a.Personalized).To(BeFalse())
				g.Expect(a.Explanation).To(Equal(text), string(a.Reason))
			}
			r := baseRequest()
			r.Locale = locale
			g.Expect(blocked.Decide(r, now).Explanation).To(Equal(text))
		})
	}
}

// TestLocalizationAllocatesNothing: explanations are precomputed per language when the
// document is loaded, so a French decision allocates exactly what an English one does
// (nothing, for the benchmark campaign without recommendations).
func TestLocalizationAllocatesNothing(t *testing.T) {
	g := NewWithT(t)
	c := enginetest.BenchCampaign(false)
	p := fixturePolicy()
	for i := range c.Spec.DataUsage {
		c.Spec.DataUsage[i].DescriptionTranslations = map[string]string{"fr": "Texte " + c.Spec.DataUsage[i].Attribute, "nl": "Tekst"}
	}
	p.Spec.Purposes[0].DescriptionTranslations = map[string]string{"fr": "Nous suggérons des produits.", "nl": "We stellen producten voor."}
	e := mustEngine(c, p, true)
	allocs := map[string]float64{}
	for _, locale := range []string{"", "fr", "nl-BE", "de"} {
		r := benchRequest()
		r.Locale = locale
		g.Expect(e.Decide(r, now).Reason).To(Equal(wire.ReasonMatched))
		allocs[locale] = testing.AllocsPerRun(200, func() { _ = e.Decide(r, now) })
		r.Consent = wire.Consent{} // a neutral answer
		allocs[locale+" neutral"] = testing.AllocsPerRun(200, func() { _ = e.Decide(r, now) })
	}
	for k, n := range allocs {
		g.Expect(n).To(BeZero(), k)
	}
	r := benchRequest()
	r.Locale = "fr"
	g.Expect(e.Decide(r, now).Explanation).To(HavePrefix("Nous vous montrons ceci en raison de : texte viewedCategories ; texte loyaltyTier"))
}

func TestUnsupportedTranslationKeyRefused(t *testing.T) {
	g := NewWithT(t)
	d, err := document.Unmarshal(enginetest.DocumentJSON(fixtureCampaign(), fixturePolicy(), true))
	g.Expect(err).NotTo(HaveOccurred())
	d.Personalization.Attributes[1].DescriptionTranslations = document.Translations{"fr-CH": "x"}
	_, err = New(d, "h")
	g.Expect(err).To(MatchError(`personalization.attributes[1].descriptionTranslations: unsupported language "fr-CH", use one of en, fr, de, es, it, pt, nl`))
}
