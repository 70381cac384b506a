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

package controller

import (
	"context"
	"fmt"
	"strings"

	authorizationv1 "k8s.io/api/authorization/v1"
	"k8s.io/client-go/rest"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/ethos-operator/ethos/internal/resources"
)

// FlagWatchNamespaces is the manager flag listing the namespaces it watches.
const FlagWatchNamespaces = "watch-namespaces"

// ParseNamespaces reads the --watch-namespaces list: comma-separated namespace names, blanks
// and repeats ignored. An empty list means every namespace.
func ParseNamespaces(list string) ([]string, error) {
	return resources.ParseNamespaces(FlagWatchNamespaces, list)
}

// namespaceAccess is one permission the manager needs in every watched namespace: without it
// an informer would fail forever and the cache would never sync.
type namespaceAccess struct{ group, resource, verb string }

var watchedNamespaceAccess = []namespaceAccess{
	{"personalization.ethos.dev", "campaigns", "watch"},
	{"personalization.ethos.dev", "consentpolicies", "watch"},
	{"apps", "deployments", "patch"},
	{"networking.k8s.io", "networkpolicies", "watch"},
}

// CheckNamespaceAccess asks the API server (SelfSubjectAccessReview, which needs no RBAC)
// whether the manager holds its permissions in each watched namespace, and names every
// namespace that lacks them with the fix.
func CheckNamespaceAccess(ctx context.Context, cfg *rest.Config, namespaces []string) error {
	c, err := client.New(cfg, client.Options{})
	if err != nil {
		return fmt.Errorf("failed to create a client to check permissions: %w", err)
	}
	var missing []string
	for _, ns := range namespaces {
		for _, a := range watchedNamespaceAccess {
			review := &authorizationv1.SelfSubjectAccessReview{Spec: authorizationv1.SelfSubjectAccessReviewSpec{
				ResourceAttributes: &authorizationv1.ResourceAttributes{Namespace: ns, Group: a.group, Resource: a.resource, Verb: a.verb},
			}}
			if err := c.Create(ctx, review); err != nil {
				return fmt.Errorf("failed to check %s %s in namespace %s: %w", a.verb, a.resource, ns, err)
			}
			if !review.Status.Allowed {
				missing = append(missing, ns)
				break
			}
		}
	}
	if len(missing) > 0 {
		return fmt.Errorf("the manager may not manage Campaigns in namespace(s) %s listed in --watch-namespaces: "+
			"bind the ClusterRole ethos-manager-role there with a RoleBinding (config/namespaced, docs/security.md), "+
			"or remove them from the list", strings.Join(missing, ", "))
	}
	return nil
}
