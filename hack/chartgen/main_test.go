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

package main

import (
	"reflect"
	"testing"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
)

func TestTemplatiseNetworkArgs(t *testing.T) {
	for name, tc := range map[string]struct {
		args    []any
		want    []any
		wantErr string
	}{
		"metrics flag becomes the marker": {
			args: []any{"--leader-elect", "--engine-metrics-namespaces=monitoring", "--webhook-port=9443"},
			want: []any{"--leader-elect", "HELM_ENGINE_NETWORK_ARGS", "--webhook-port=9443"},
		},
		"no metrics flag": {
			args:    []any{"--leader-elect"},
			wantErr: "no --engine-metrics-namespaces argument (the chart's monitoring.namespace replaces it)",
		},
		"a flag without a value": {
			args:    []any{"--engine-metrics-namespaces=monitoring", "--engine-ingress-namespaces=ingress-nginx"},
			wantErr: "argument --engine-ingress-namespaces=ingress-nginx has no chart value: teach hack/chartgen to map it",
		},
		"the policy switch": {
			args:    []any{"--engine-metrics-namespaces=monitoring", "--engine-network-policy"},
			wantErr: "argument --engine-network-policy has no chart value: teach hack/chartgen to map it",
		},
	} {
		t.Run(name, func(t *testing.T) {
			err := templatiseNetworkArgs(tc.args)
			if tc.wantErr != "" {
				if err == nil || err.Error() != tc.wantErr {
					t.Fatalf("error %v, want %q", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(tc.args, tc.want) {
				t.Fatalf("args %v, want %v", tc.args, tc.want)
			}
		})
	}
}

func object(kind, namespace, name string) *unstructured.Unstructured {
	o := &unstructured.Unstructured{Object: map[string]any{"apiVersion": "v1", "kind": kind}}
	o.SetNamespace(namespace)
	o.SetName(name)
	return o
}

func managerWith(args ...string) *unstructured.Unstructured {
	o := object("Deployment", installNamespace, managerName)
	list := make([]any, len(args))
	for i, a := range args {
		list[i] = a
	}
	_ = unstructured.SetNestedSlice(o.Object, []any{map[string]any{"name": managerContainer, "args": list}},
		"spec", "template", "spec", "containers")
	return o
}

func TestNamespacedMode(t *testing.T) {
	clusterBinding := object("ClusterRoleBinding", "", "ethos-manager-rolebinding")
	certBinding := object("RoleBinding", installNamespace, "ethos-manager-rolebinding")
	shopBinding := object("RoleBinding", "shop", "ethos-manager-rolebinding")
	defaults := []*unstructured.Unstructured{managerWith("--leader-elect"), clusterBinding, certBinding}

	dropped, added, err := namespacedMode(defaults,
		[]*unstructured.Unstructured{managerWith("--leader-elect", "--watch-namespaces=shop"), certBinding, shopBinding})
	if err != nil {
		t.Fatal(err)
	}
	if want := map[string]bool{"ClusterRoleBinding/ethos-manager-rolebinding": true}; !reflect.DeepEqual(dropped, want) {
		t.Errorf("dropped %v, want %v", dropped, want)
	}
	if len(added) != 1 || added[0] != shopBinding {
		t.Errorf("added %v, want the RoleBinding in shop only", added)
	}

	for name, tc := range map[string]struct {
		namespaced []*unstructured.Unstructured
		wantErr    string
	}{
		"two example namespaces": {
			namespaced: []*unstructured.Unstructured{managerWith("--leader-elect", "--watch-namespaces=shop,web"), shopBinding},
			wantErr:    `the manager must have one --watch-namespaces=<namespace> argument naming the example namespace, has "shop,web"`,
		},
		"another manager change": {
			namespaced: []*unstructured.Unstructured{managerWith("--leader-elect", "--enable-http2", "--watch-namespaces=shop"), shopBinding},
			wantErr:    "the manager Deployment ethos-controller-manager differs from config/default's by more than --watch-namespaces: teach hack/chartgen",
		},
		"an object outside the example namespace": {
			namespaced: []*unstructured.Unstructured{managerWith("--leader-elect", "--watch-namespaces=shop"), object("RoleBinding", "web", "x")},
			wantErr:    "RoleBinding web/x is neither config/default's nor in the example namespace shop",
		},
		"a changed common object": {
			namespaced: []*unstructured.Unstructured{managerWith("--leader-elect", "--watch-namespaces=shop"), shopBinding,
				func() *unstructured.Unstructured {
					o := certBinding.DeepCopy()
					o.SetLabels(map[string]string{"a": "b"})
					return o
				}()},
			wantErr: "RoleBinding ethos-system/ethos-manager-rolebinding differs from config/default's: teach hack/chartgen",
		},
	} {
		t.Run(name, func(t *testing.T) {
			_, _, err := namespacedMode(defaults, tc.namespaced)
			if err == nil || err.Error() != tc.wantErr {
				t.Fatalf("error %v, want %q", err, tc.wantErr)
			}
		})
	}
}
