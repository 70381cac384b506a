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

package manifest

import (
	"context"
	"fmt"
	"io/fs"

	apiextensionsinternal "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions"
	apiextensionsv1 "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1"
	structuralschema "k8s.io/apiextensions-apiserver/pkg/apiserver/schema"
	"k8s.io/apiextensions-apiserver/pkg/apiserver/schema/cel"
	structuraldefaulting "k8s.io/apiextensions-apiserver/pkg/apiserver/schema/defaulting"
	"k8s.io/apiextensions-apiserver/pkg/apiserver/schema/listtype"
	schemaobjectmeta "k8s.io/apiextensions-apiserver/pkg/apiserver/schema/objectmeta"
	structuralpruning "k8s.io/apiextensions-apiserver/pkg/apiserver/schema/pruning"
	apiservervalidation "k8s.io/apiextensions-apiserver/pkg/apiserver/validation"
	"k8s.io/apimachinery/pkg/util/validation/field"
	celconfig "k8s.io/apiserver/pkg/apis/cel"
	"sigs.k8s.io/yaml"

	"github.com/ethos-operator/ethos/config/crd"
)

// kindSchema is everything the API server derives from one CRD version's schema: the
// structural schema (pruning, defaulting, list types), the OpenAPI validator and the CEL
// validator — built with apiextensions-apiserver's own packages, so lint answers like the
// cluster does.
type kindSchema struct {
	structural *structuralschema.Structural
	openapi    apiservervalidation.SchemaValidator
	cel        *cel.Validator
}

// loadSchemas reads the embedded CRDs and returns the schema of each served version, keyed
// by "group/version, Kind=..." (schema.GroupVersionKind.String()).
func loadSchemas() (map[string]*kindSchema, error) {
	out := map[string]*kindSchema{}
	files, err := fs.Glob(crd.Bases, "bases/*.yaml")
	if err != nil {
		return nil, fmt.Errorf("failed to list embedded CRDs: %w", err)
	}
	for _, name := range files {
		b, err := crd.Bases.ReadFile(name)
		if err != nil {
			return nil, fmt.Errorf("failed to read embedded CRD %s: %w", name, err)
		}
		var def apiextensionsv1.CustomResourceDefinition
		if err := yaml.UnmarshalStrict(b, &def); err != nil {
			return nil, fmt.Errorf("failed to decode embedded CRD %s: %w", name, err)
		}
		for _, v := range def.Spec.Versions {
			if !v.Served || v.Schema == nil || v.Schema.OpenAPIV3Schema == nil {
				continue
			}
			ks, err := newKindSchema(v.Schema.OpenAPIV3Schema)
			if err != nil {
				return nil, fmt.Errorf("failed to build schema of %s %s: %w", def.Name, v.Name, err)
			}
			out[def.Spec.Group+"/"+v.Name+", Kind="+def.Spec.Names.Kind] = ks
		}
	}
	return out, nil
}

func newKindSchema(v1 *apiextensionsv1.JSONSchemaProps) (*kindSchema, error) {
	var internal apiextensionsinternal.JSONSchemaProps
	if err := apiextensionsv1.Convert_v1_JSONSchemaProps_To_apiextensions_JSONSchemaProps(v1, &internal, nil); err != nil {
		return nil, fmt.Errorf("failed to convert schema: %w", err)
	}
	s, err := structuralschema.NewStructural(&internal)
	if err != nil {
		return nil, fmt.Errorf("failed to build structural schema: %w", err)
	}
	openapi, _, err := apiservervalidation.NewSchemaValidator(&internal)
	if err != nil {
		return nil, fmt.Errorf("failed to build OpenAPI validator: %w", err)
	}
	return &kindSchema{structural: s, openapi: openapi, cel: cel.NewValidator(s, true, celconfig.PerCallLimit)}, nil
}

// apply does to obj what the API server does on create, in its order: prune unknown fields
// (reported, as `kubectl apply`'s strict field validation does), apply defaults, then
// validate metadata, the OpenAPI schema, list types and CEL rules.
func (ks *kindSchema) apply(ctx context.Context, obj map[string]any) field.ErrorList {
	var errs field.ErrorList
	unknown := structuralpruning.PruneWithOptions(obj, ks.structural, true, structuralschema.UnknownFieldPathOptions{TrackUnknownFieldPaths: true})
	for _, p := range unknown {
		errs = append(errs, field.Forbidden(field.NewPath(p), "unknown field: the schema has no such field (check its spelling and indentation)"))
	}
	structuraldefaulting.Default(obj, ks.structural)
	errs = append(errs, schemaobjectmeta.Validate(ctx, nil, obj, ks.structural, true)...)
	errs = append(errs, apiservervalidation.ValidateCustomResource(nil, obj, ks.openapi)...)
	errs = append(errs, listtype.ValidateListSetsAndMaps(nil, ks.structural, obj)...)
	if ks.cel != nil {
		celErrs, _ := ks.cel.Validate(ctx, nil, ks.structural, obj, nil, celconfig.RuntimeCELCostBudget)
		errs = append(errs, celErrs...)
	}
	return errs
}
