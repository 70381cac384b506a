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
	"encoding/json"
	"fmt"
	"sync"
	"time"

	"k8s.io/apimachinery/pkg/api/equality"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/klog/v2"
	"k8s.io/utils/ptr"
	"sigs.k8s.io/controller-runtime/pkg/client"
	logf "sigs.k8s.io/controller-runtime/pkg/log"

	ethosv1alpha1 "github.com/ethos-operator/ethos/api/v1alpha1"
)

// FieldManager is the server-side apply field manager of every write the controllers make.
const FieldManager = "ethos"

// conflictRetry is how often a Campaign stalled on an ownership conflict looks again: the
// conflicting object carries no Ethos label, so no watch event says when it is gone.
const conflictRetry = time.Minute

// ownershipConflict is the stalled state of a Campaign whose engine name is taken by an object
// it does not control: the controller refuses to adopt it, and only a human can resolve it.
func ownershipConflict(kind, name, campaign string) *stalledError {
	return &stalledError{
		reason:     ethosv1alpha1.ReasonOwnershipConflict,
		message:    fmt.Sprintf("ownership conflict: %s %s exists and is not controlled by Campaign %s", kind, name, campaign),
		fix:        "delete or rename it so Ethos can create its own",
		retryAfter: conflictRetry,
	}
}

// ownedKind describes one kind of engine object for applyOwned and deleteOwned.
type ownedKind[O client.Object, A runtime.ApplyConfiguration] struct {
	// kind is the Kind, for messages and logs.
	kind string
	// gvk is the kind's group, version and kind, for reads of its metadata (Owners).
	gvk schema.GroupVersionKind
	// newObject returns an empty object of the kind.
	newObject func() O
	// extract returns the fields the field manager owns on a live object, as an apply
	// configuration comparable with the desired one.
	extract func(live O, fieldManager string) (A, error)
}

// getOwned reads the engine object named name. The manager's cache holds only objects labelled
// as managed by Ethos, so an object it lacks is looked up in Owners (the metadata of every
// object of the kind): absent there too, it does not exist, and the first reconcile of a new
// Campaign costs no read. The API server is asked only when the caches cannot tell: an object
// this reconciler applied that its cache has not caught up with yet, one controlled by c but
// no longer labelled, or when Owners is nil. It returns nil when the object does not exist,
// and an ownership conflict (a stalledError) when it exists without c as its controller.
func getOwned[O client.Object, A runtime.ApplyConfiguration](ctx context.Context, r *CampaignReconciler, c *ethosv1alpha1.Campaign, k ownedKind[O, A], name string) (O, error) {
	var zero O
	key := client.ObjectKey{Namespace: c.Namespace, Name: name}
	live := k.newObject()
	err := r.Get(ctx, key, live)
	switch {
	case err == nil:
		r.applied.forget(k.kind, key)
	case apierrors.IsNotFound(err):
		mayExist, err := r.mayExist(ctx, c, k.kind, k.gvk, key)
		if err != nil || !mayExist {
			return zero, err
		}
		if err := r.APIReader.Get(ctx, key, live); apierrors.IsNotFound(err) {
			r.applied.forget(k.kind, key)
			return zero, nil
		} else if err != nil {
			return zero, fmt.Errorf("failed to get %s %s: %w", k.kind, klog.KRef(c.Namespace, name), err)
		}
	default:
		return zero, fmt.Errorf("failed to get %s %s: %w", k.kind, klog.KRef(c.Namespace, name), err)
	}
	if ref := metav1.GetControllerOfNoCopy(live); ref == nil || ref.UID != c.UID {
		return zero, ownershipConflict(k.kind, name, c.Name)
	}
	return live, nil
}

// mayExist decides, for an object the cache does not hold, whether it may exist and must
// be read from the API server (true), or does not exist (false). An object Owners holds that c
// does not control is an ownership conflict.
func (r *CampaignReconciler) mayExist(ctx context.Context, c *ethosv1alpha1.Campaign, kind string, gvk schema.GroupVersionKind, key client.ObjectKey) (bool, error) {
	if r.Owners == nil || r.applied.has(kind, key) {
		return true, nil
	}
	m := &metav1.PartialObjectMetadata{}
	m.SetGroupVersionKind(gvk)
	err := r.Owners.Get(ctx, key, m)
	switch {
	case apierrors.IsNotFound(err):
		return false, nil
	case err != nil:
		return false, fmt.Errorf("failed to get %s %s: %w", kind, klog.KRef(key.Namespace, key.Name), err)
	}
	if ref := metav1.GetControllerOfNoCopy(m); ref == nil || ref.UID != c.UID {
		return false, ownershipConflict(kind, key.Name, c.Name)
	}
	return true, nil
}

// appliedSet remembers the objects a reconciler applied until its cache holds them: a cache
// miss for one of those is the cache lagging, not a missing object, and is read from the API
// server rather than applied again.
type appliedSet struct {
	mu   sync.Mutex
	keys map[string]struct{}
}

func appliedKey(kind string, key client.ObjectKey) string {
	return kind + "/" + key.Namespace + "/" + key.Name
}

func (s *appliedSet) add(kind string, key client.ObjectKey) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.keys == nil {
		s.keys = map[string]struct{}{}
	}
	s.keys[appliedKey(kind, key)] = struct{}{}
}

func (s *appliedSet) has(kind string, key client.ObjectKey) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	_, ok := s.keys[appliedKey(kind, key)]
	return ok
}

func (s *appliedSet) forget(kind string, key client.ObjectKey) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.keys) > 0 {
		delete(s.keys, appliedKey(kind, key))
	}
}

// applyOwned makes the engine object match desired with server-side apply (field manager
// FieldManager, forced ownership), and returns the live object.
//
// To write nothing when nothing changed, it compares desired with the fields FieldManager owns
// on the live object (managed-fields extraction). An edit by anyone else to a field Ethos set
// moves that field's ownership away from FieldManager (or changes its value), so drift shows
// up as a difference and is undone; fields other actors add (defaults, an HPA's replicas) are
// not ours and never cause a write. A difference seen in the cache is confirmed against the
// API server before writing, so a cache that has not caught up with the previous write does
// not cause a second one.
func applyOwned[O client.Object, A runtime.ApplyConfiguration](ctx context.Context, r *CampaignReconciler, c *ethosv1alpha1.Campaign, k ownedKind[O, A], name string, desired A) (O, error) {
	var zero O
	live, err := getOwned(ctx, r, c, k, name)
	if err != nil {
		return zero, err
	}
	if !isZero(live) {
		same, err := ownsExactly(k, live, desired)
		if err != nil {
			return zero, err
		}
		if same {
			return live, nil
		}
		// The cache may be behind the API server; confirm before writing.
		fresh := k.newObject()
		if err := r.APIReader.Get(ctx, client.ObjectKeyFromObject(live), fresh); err == nil {
			if same, err := ownsExactly(k, fresh, desired); err == nil && same {
				return fresh, nil
			}
		}
	}
	logf.FromContext(ctx).V(1).Info("Applying "+k.kind, k.kind, klog.KRef(c.Namespace, name))
	if err := r.Apply(ctx, desired, client.FieldOwner(FieldManager), client.ForceOwnership); err != nil {
		return zero, fmt.Errorf("failed to apply %s %s: %w", k.kind, klog.KRef(c.Namespace, name), err)
	}
	r.applied.add(k.kind, client.ObjectKey{Namespace: c.Namespace, Name: name})
	// The API server's answer was decoded into desired; convert it back to the typed object.
	out := k.newObject()
	if err := convert(desired, out); err != nil {
		return zero, fmt.Errorf("failed to decode applied %s %s: %w", k.kind, klog.KRef(c.Namespace, name), err)
	}
	return out, nil
}

// deleteOwned removes an engine object the Campaign no longer asks for (an autoscaler or a
// disruption budget), if it exists and the Campaign controls it. Objects it does not control
// are left alone: not wanting an object is no reason to touch someone else's. It reads the
// cache only: every object Ethos creates carries the label the cache selects, and this runs
// on every reconcile of most Campaigns, which must cost no request to the API server.
func deleteOwned[O client.Object, A runtime.ApplyConfiguration](ctx context.Context, r *CampaignReconciler, c *ethosv1alpha1.Campaign, k ownedKind[O, A], name string) error {
	live := k.newObject()
	if err := r.Get(ctx, client.ObjectKey{Namespace: c.Namespace, Name: name}, live); err != nil {
		if apierrors.IsNotFound(err) {
			return nil
		}
		return fmt.Errorf("failed to get %s %s: %w", k.kind, klog.KRef(c.Namespace, name), err)
	}
	if ref := metav1.GetControllerOfNoCopy(live); ref == nil || ref.UID != c.UID {
		return nil
	}
	logf.FromContext(ctx).Info("Deleting "+k.kind+" no longer needed", k.kind, klog.KRef(c.Namespace, name))
	if err := r.Delete(ctx, live, client.Preconditions{UID: ptr.To(live.GetUID())}); client.IgnoreNotFound(err) != nil {
		return fmt.Errorf("failed to delete %s %s: %w", k.kind, klog.KRef(c.Namespace, name), err)
	}
	return nil
}

// ownsExactly reports whether the fields FieldManager owns on live equal desired.
func ownsExactly[O client.Object, A runtime.ApplyConfiguration](k ownedKind[O, A], live O, desired A) (bool, error) {
	owned, err := k.extract(live, FieldManager)
	if err != nil {
		return false, fmt.Errorf("failed to extract the fields %s owns on %s %s: %w", FieldManager, k.kind, live.GetName(), err)
	}
	return equality.Semantic.DeepEqual(owned, desired), nil
}

// convert copies an apply configuration holding an API response into a typed object.
func convert(from any, to runtime.Object) error {
	data, err := json.Marshal(from)
	if err != nil {
		return err
	}
	return json.Unmarshal(data, to)
}

func isZero[O client.Object](o O) bool {
	var zero O
	return any(o) == any(zero)
}
