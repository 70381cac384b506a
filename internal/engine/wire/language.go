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

package wire

import "strings"

// Language is a language the engine writes explanations in: the seven of the built-in
// dictionary. English, the zero value, is the documents' default language: untranslated
// descriptions are taken to be English, and every other language falls back to it.
type Language uint8

// The supported languages, in the order of LanguageCodes.
const (
	English Language = iota
	French
	German
	Spanish
	Italian
	Portuguese
	Dutch
	// NumLanguages is the number of supported languages (arrays indexed by Language).
	NumLanguages = iota
)

// LanguageCodes are the ISO 639-1 codes of the supported languages, indexed by Language:
// the keys of descriptionTranslations and the values of a request's locale.
var LanguageCodes = [NumLanguages]string{"en", "fr", "de", "es", "it", "pt", "nl"}

// String is the language's ISO 639-1 code.
func (l Language) String() string { return LanguageCodes[l] }

// ParseLanguage maps a language tag to a supported language by its primary subtag,
// case-insensitively: "fr", "fr-CH" and "FR_ch" are French. ok is false for any other tag.
func ParseLanguage(tag string) (l Language, ok bool) {
	primary := tag
	if i := strings.IndexAny(tag, "-_"); i >= 0 {
		primary = tag[:i]
	}
	if len(primary) != 2 {
		return English, false
	}
	for i, code := range LanguageCodes {
		if strings.EqualFold(primary, code) {
			return Language(i), true
		}
	}
	return English, false
}

// PreferredLanguage picks the best supported language of an Accept-Language header
// (RFC 9110 §12.5.4): the one with the highest q-value, the first listed among equals;
// q=0 means "not this one", and "*" or unsupported languages are passed over. ok is false
// when the header names no supported language (or is malformed throughout). It never
// allocates.
func PreferredLanguage(header string) (best Language, ok bool) {
	bestQ := 0
	for rest := header; rest != ""; {
		var item string
		item, rest, _ = strings.Cut(rest, ",")
		tag, params, _ := strings.Cut(item, ";")
		l, supported := ParseLanguage(strings.TrimSpace(tag))
		if !supported {
			continue
		}
		q, valid := quality(params)
		if valid && q > bestQ {
			best, bestQ, ok = l, q, true
		}
	}
	return best, ok
}

// quality reads the q parameter of an Accept-Language item (";q=0.8") in thousandths;
// without one the weight is 1 (1000).
func quality(params string) (int, bool) {
	p := strings.TrimSpace(params)
	if p == "" {
		return 1000, true
	}
	v, found := strings.CutPrefix(p, "q=")
	if !found {
		v, found = strings.CutPrefix(p, "Q=")
	}
	if !found || v == "" {
		return 0, false
	}
	whole, frac, _ := strings.Cut(v, ".")
	if (whole != "0" && whole != "1") || len(frac) > 3 {
		return 0, false
	}
	q := 0
	for i := range 3 {
		q *= 10
		if i < len(frac) {
			c := frac[i]
			if c < '0' || c > '9' {
				return 0, false
			}
			q += int(c - '0')
		}
	}
	if whole == "1" {
		q += 1000
	}
	return q, q <= 1000
}

// ApplyAcceptLanguage settles the request's language from an Accept-Language header, for
// the HTTP handlers (/v1/decisions, OFREP): the body's locale wins when it names a
// supported language; otherwise the header's best supported language is taken; with
// neither, Locale is left as it is and the answer is in English.
func (r *Request) ApplyAcceptLanguage(header string) {
	if _, ok := ParseLanguage(r.Locale); ok || header == "" {
		return
	}
	if l, ok := PreferredLanguage(header); ok {
		r.Locale = LanguageCodes[l]
	}
}

// Language is the language of the request's answer: its locale when supported, else
// English.
func (r *Request) Language() Language {
	l, _ := ParseLanguage(r.Locale)
	return l
}

// neutralExplanations are NeutralExplanation in every supported language.
var neutralExplanations = [NumLanguages]string{
	English:    NeutralExplanation,
	French:     "Ceci est notre contenu standard, présenté à toute personne qui ne voit pas de contenu personnalisé. Il n'a pas été choisi à partir d'informations vous concernant.",
	German:     "Dies ist unser Standardinhalt, der allen angezeigt wird, die keine personalisierten Inhalte sehen. Er wurde nicht anhand von Informationen über Sie ausgewählt.",
	Spanish:    "Este es nuestro contenido estándar, que se muestra a todas las personas que no ven contenido personalizado. No se eligió usando información sobre usted.",
	Italian:    "Questo è il nostro contenuto standard, mostrato a chiunque non veda contenuti personalizzati. Non è stato scelto usando informazioni su di te.",
	Portuguese: "Este é o nosso conteúdo padrão, exibido a todas as pessoas que não veem conteúdo personalizado. Não foi escolhido com base em informações sobre você.",
	Dutch:      "Dit is onze standaardinhoud, getoond aan iedereen die geen gepersonaliseerde inhoud ziet. Deze is niet gekozen op basis van informatie over u.",
}

// NeutralExplanationIn is the explanation of every fallback answer in language l: the same
// for all visitors and reasons, so it reveals nothing about the visitor.
func NeutralExplanationIn(l Language) string { return neutralExplanations[l] }
